// For binding.gyp: "<!(node -p \"require('@hotline/native-common/gyp').include_dir\")"
'use strict';
const path = require('node:path');
module.exports = { include_dir: path.join(__dirname, 'include') };
