import CoachPersistence
import CommandLineParsing
import Foundation

/// The crash writer's command line:
/// `CrashWriter DIR SEED [--users N] [--steps N] [--durability durable|batched|unsynced]`,
/// read by the parser that coach-store and the benchmark share.
struct WriterOptions: ParsableCommand {
    var directory: URL
    var seed: UInt64
    /// How many users write concurrently, one task each.
    var users = 4
    /// Stop (and close the store) once every user reached this step; unbounded by default.
    var steps = Int.max
    var durability = FileStateStore.Durability.durable

    /// Tiny thresholds, so that compactions run all the time.
    var storeOptions: FileStateStore.Options {
        FileStateStore.Options(durability: durability, compactionThresholdBytes: 4096, compactionThresholdRecords: 5)
    }

    static let spec = CommandSpec(
        program: "CrashWriter", name: "", summary: "save to a store until killed, printing each acknowledged save",
        arguments: [
            ArgumentSpec(name: "DIR", help: "the store's directory"),
            ArgumentSpec(name: "SEED", help: "the seed of the saves' content"),
        ],
        options: [
            OptionSpec(name: "users", value: "N", help: "users writing concurrently (4)"),
            OptionSpec(name: "steps", value: "N", help: "stop after N saves per user"),
            OptionSpec(name: "durability", value: "MODE", help: "durable, batched or unsynced"),
        ])

    init(parsing arguments: ParsedArguments) throws(UsageError) {
        directory = URL(fileURLWithPath: arguments.required("DIR"), isDirectory: true)
        guard let seed = UInt64(arguments.required("SEED")) else {
            throw UsageError("SEED needs a whole number, not '\(arguments.required("SEED"))'", command: Self.spec.topic)
        }
        self.seed = seed
        users = try arguments.integer("users", minimum: 1) ?? users
        steps = try arguments.integer("steps", minimum: 0) ?? steps
        switch try arguments.choice("durability", among: ["durable", "batched", "unsynced"]) {
        case "batched": durability = .batched(interval: .milliseconds(5))
        case "unsynced": durability = .unsynced
        default: durability = .durable
        }
    }

    /// Parses `arguments` (without the program name); `nil` if they are wrong or ask for help.
    init?(_ arguments: [String]) {
        guard let options = try? Self.parse(arguments) else { return nil }
        self = options
    }

    static var usage: String { "usage: " + spec.usage }
}
