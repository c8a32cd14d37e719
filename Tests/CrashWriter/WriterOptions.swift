import CoachPersistence
import Foundation

/// The crash writer's command line:
/// `CrashWriter <store-dir> <seed> [--users N] [--steps N] [--durability durable|batched|unsynced]`.
struct WriterOptions {
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

    /// Parses `arguments` (without the program name); `nil` with a message on stderr if wrong.
    init?(_ arguments: [String]) {
        guard arguments.count >= 2, let seed = UInt64(arguments[1]) else { return nil }
        directory = URL(fileURLWithPath: arguments[0], isDirectory: true)
        self.seed = seed
        var rest = arguments.dropFirst(2).makeIterator()
        while let flag = rest.next() {
            guard let value = rest.next() else { return nil }
            switch flag {
            case "--users": guard let n = Int(value), n > 0 else { return nil }; users = n
            case "--steps": guard let n = Int(value), n >= 0 else { return nil }; steps = n
            case "--durability":
                switch value {
                case "durable": durability = .durable
                case "batched": durability = .batched(interval: .milliseconds(5))
                case "unsynced": durability = .unsynced
                default: return nil
                }
            default: return nil
            }
        }
    }

    static let usage = "usage: CrashWriter <store-dir> <seed> [--users N] [--steps N] [--durability durable|batched|unsynced]"
}
