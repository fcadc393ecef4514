{
  # Built by scripts/build-native.mjs (node-gyp rebuild --directory native) into
  # native/build/Release/strata_native.node. -march=native tunes the driver for the installing
  # machine (STRATA_NATIVE_MARCH overrides it, e.g. "x86-64-v2" for a portable binary); the
  # micro-kernels carry their own target attributes and are picked at run time. Every src/*.cc is
  # compiled: a new kernel file needs no edit here. -fno-math-errno lets loops with sqrt vectorise
  # (nothing here reads errno).
  "targets": [
    {
      "target_name": "strata_native",
      "sources": [
        "<!@(node -p \"require('fs').readdirSync('src').filter(f => f.endsWith('.cc')).sort().map(f => 'src/' + f).join(' ')\")"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fopenmp-simd",
        "-fno-math-errno",
        "-march=<!(node -p \"process.env.STRATA_NATIVE_MARCH || 'native'\")"
      ],
      "ldflags": ["-pthread"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3"]
          }
        }]
      ]
    }
  ]
}
