import CommandLineParsing
import Foundation
import Testing

/// The parser coach-store, the benchmark and the crash writer share.
@Suite("CommandLineParsing: the shared parser")
struct CommandLineParsingTests {
    static let spec = CommandSpec(
        program: "tool", name: "run", summary: "do a thing",
        arguments: [ArgumentSpec(name: "DIR", help: "a folder"), ArgumentSpec(name: "USER", optional: true, help: "a user")],
        options: [
            OptionSpec(name: "tail", short: "n", value: "N", help: "last N"),
            OptionSpec(name: "json", help: "as JSON"),
            OptionSpec(name: "mode", value: "MODE", help: "fast or slow"),
        ])

    /// A command as a type: typed properties and a validation step.
    struct Run: ParsableCommand {
        static let spec = CommandLineParsingTests.spec
        let directory: String
        let tail: Int?
        let mode: String?

        init(parsing arguments: ParsedArguments) throws(UsageError) {
            directory = arguments.required("DIR")
            tail = try arguments.integer("tail", minimum: 1)
            mode = try arguments.choice("mode", among: ["fast", "slow"])
        }

        func validate() throws(UsageError) {
            if mode == "slow" && tail != nil { throw UsageError("--tail cannot be used with --mode slow", command: "run") }
        }
    }

    @Test("GNU forms: --opt value, --opt=value, -x value, flags, -- before a positional that starts with -")
    func forms() throws {
        for tokens in [["d", "--tail", "5"], ["d", "--tail=5"], ["d", "-n", "5"], ["--tail", "5", "d"]] {
            let parsed = try Self.spec.parse(tokens)
            #expect(parsed.argument("DIR") == "d" && parsed.value("tail") == "5", "\(tokens)")
        }
        let parsed = try Self.spec.parse(["d", "--json", "--", "-odd"])
        #expect(parsed.flag("json") && parsed.argument("USER") == "-odd")
        #expect(try Self.spec.parse(["-"]).argument("DIR") == "-")
        #expect(try Self.spec.parse(["--help"]).wantsHelp, "help wins over a missing DIR")
    }

    @Test("mistakes are usage errors naming the option or argument", arguments: [
        (["--frob", "d"], "unknown option '--frob'"), (["-x", "d"], "unknown option '-x'"), ([], "missing DIR"),
        (["d", "u", "v"], "unexpected argument 'v'"), (["d", "--json=yes"], "--json takes no value"),
        (["d", "--tail"], "--tail needs a value"), (["d", "--tail", "0"], "--tail needs a whole number of at least 1"),
        ([""], "DIR must not be empty"), (["d", "--mode", "medium"], "--mode is one of fast, slow"),
        (["d", "--mode", "slow", "-n", "2"], "--tail cannot be used with --mode slow"),
    ])
    func mistakes(_ tokens: [String], _ message: String) {
        #expect {
            _ = try Run.parse(tokens)
        } throws: { error in
            (error as? UsageError)?.message.contains(message) == true
        }
    }

    @Test("typed arguments: a command reads its values once, and --help returns no command")
    func typed() throws {
        let run = try #require(try Run.parse(["d", "-n", "3", "--mode", "fast"]))
        #expect(run.directory == "d" && run.tail == 3 && run.mode == "fast")
        #expect(try Run.parse(["--help"]) == nil)
        #expect(Self.spec.usage == "tool run DIR [USER] [--tail N] [--json] [--mode MODE]")
        #expect(Self.spec.help.contains("-n, --tail N") && Self.spec.help.contains("-h, --help"))
    }

    /// An executable built beside coach-store.
    private func sibling(_ name: String) -> URL { CLI.executable.deletingLastPathComponent().appendingPathComponent(name) }

    private func run(_ executable: URL, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test("the benchmark and the crash writer parse with it: the same messages, exit status 2")
    func sharedByTheOthers() throws {
        let bench = sibling("coach-store-bench"), writer = sibling("CrashWriter")
        try #require(FileManager.default.isExecutableFile(atPath: bench.path) && FileManager.default.isExecutableFile(atPath: writer.path))
        let (status, output) = try run(bench, ["--blocks", "zero"])
        #expect(status == 2 && output.contains("--blocks needs a whole number of at least 1, not 'zero'"), "\(output)")
        let (unknown, unknownOutput) = try run(bench, ["--only", "nope"])
        #expect(unknown == 2 && unknownOutput.contains("unknown scenario 'nope'"))
        let (help, helpOutput) = try run(bench, ["--help"])
        #expect(help == 2 && helpOutput.contains("Usage: coach-store-bench") && helpOutput.contains("--smoke"))
        let (bad, badOutput) = try run(writer, ["/tmp/x", "12", "--durability", "sometimes"])
        #expect(bad == 2 && badOutput.contains("usage: CrashWriter DIR SEED"), "\(badOutput)")
    }
}
