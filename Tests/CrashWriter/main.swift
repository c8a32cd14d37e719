// The writer process the kill -9 tests start and kill; see `Writer`.
guard let options = WriterOptions(Array(CommandLine.arguments.dropFirst())) else {
    Output.fail(WriterOptions.usage, code: 2)
}
await Writer(options: options).run()
