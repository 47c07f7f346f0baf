{
  "targets": [
    {
      "target_name": "hotline_fax",
      "sources": ["src/native/fax-session.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "conditions": [
        ["OS=='linux'", {
          "cflags_cc+": ["<!@(pkg-config --cflags spandsp libtiff-4 2>/dev/null || true)"],
          "libraries": ["<!@(pkg-config --libs spandsp libtiff-4 2>/dev/null || echo -lspandsp -ltiff)"]
        }],
        ["OS=='mac'", {
          "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CFLAGS": ["<!@(pkg-config --cflags spandsp libtiff-4 2>/dev/null || true)"] },
          "libraries": ["<!@(pkg-config --libs spandsp libtiff-4 2>/dev/null || echo -lspandsp -ltiff)"]
        }]
      ]
    }
  ]
}
