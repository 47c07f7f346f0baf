{
  "targets": [
    {
      # The addon: no link-time dependency on the vendor library (dlopen at run time).
      "target_name": "hotline_sanhui",
      "sources": ["native/addon.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node -p \"require('@hotline/native-common/gyp').include_dir\")",
        "native"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
      "libraries": ["-ldl", "-pthread"]
    },
    {
      # The fake libshpa3.so, used only by the tests and the benchmark.
      "target_name": "shpa3",
      "type": "shared_library",
      "product_prefix": "lib",
      "sources": ["fake/fake-shpa3.c"],
      "cflags": ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wextra", "-pthread"],
      "cflags!": ["-fno-exceptions"],
      "libraries": ["-pthread"]
    },
    {
      # The same fake without the optional bus-switching, conference and DTMF-sending functions:
      # proves that missing optional symbols become missing capabilities.
      "target_name": "shpa3_minimal",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_name": "shpa3-minimal",
      "sources": ["fake/fake-shpa3.c"],
      "defines": ["FAKE_MINIMAL"],
      "cflags": ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wextra", "-pthread"],
      "libraries": ["-pthread"]
    }
  ]
}
