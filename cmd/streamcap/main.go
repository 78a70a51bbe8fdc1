// Command streamcap sizes, prices and benchmarks streaming pipelines.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], systemStreams())) }
