{
  "variables": {
    "with_gcstats%": 1
  },
  "targets": [
    {
      "target_name": "udpio",
      "sources": ["udpio.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=gnu++17"],
      "conditions": [
        ["with_gcstats==1", {
          "sources": ["gcstats.cc"],
          "defines": ["UDPIO_GCSTATS"]
        }]
      ]
    }
  ]
}
