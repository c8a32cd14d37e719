/// How much to measure, from the command line.
struct BenchSettings {
    var mode = "full"
    /// Interleaved A/B blocks per figure.
    var blocks = 20
    /// Timed saves per block.
    var saves = 50
    /// The long history ("10,000 messages") and the short one it is compared with.
    var history = 10_000
    var shortHistory = 10
    /// Saves per block of the naive whole-file store (each rewrites the whole history).
    var naiveSaves = 5
    /// Cold loads per block.
    var coldLoads = 3
    /// Users of the many-users store, and of the small store it is compared with.
    var manyUsers = 100_000
    var fewUsers = 10
    /// Parallel writers, and durable saves per writer per block.
    var parallelUsers = 16
    var parallelSaves = 20
    /// Saves per SQLite peer run (and per block of ours beside it).
    var peerSaves = 100
    var warmUp = true

    /// Saves per block where single saves are timed: small blocks, so that both sides of a pair
    /// meet the same disk (another process's burst of syncs lasts milliseconds).
    static let savesPerFineBlock = 5
    /// How many such blocks make `blocks × saves` saves per side.
    var fineBlocks: Int { max(1, blocks * saves / Self.savesPerFineBlock) }
    /// Saves per side in one fine block (fewer when `--saves` is smaller).
    var fineSaves: Int { min(saves, Self.savesPerFineBlock) }
    var jsonPath = "coach-store-bench.json"
    /// Scenario ids to run; `nil`: all.
    var only: Set<String>?
    var peers = true
    var keepScratch = false

    static let scenarioIDs = ["save", "history", "naive", "cold-load", "compaction", "parallel", "group-commit", "many-users", "sqlite"]

    static let usage = """
        usage: coach-store-bench [--smoke | --quick] [--json PATH] [--only ID,ID…] [--no-peers]
                                 [--blocks N] [--saves N] [--history N] [--users N] [--keep]
          --smoke       tiny counts, a few seconds (for CI)
          --quick       fewer blocks and users (about a minute)
          --json PATH   where to write the figures (default coach-store-bench.json)
          --only IDS    run only these scenarios: \(scenarioIDs.joined(separator: ", "))
          --no-peers    skip the SQLite peer
          --blocks N    interleaved blocks per figure     --saves N   timed saves per block
          --history N   the long history (10000)           --users N   users of the big store (100000)
          --keep        keep the scratch folder in the temp dir
        """

    /// Parses the arguments (without the program name).
    init(arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(Self.usage)") }
            return next
        }
        func count(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let n = Int(text), n > 0 else { throw BenchError("\(flag) needs a positive number, not '\(text)'") }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--smoke": applySmoke()
            case "--quick": applyQuick()
            case "--json": jsonPath = try value(argument)
            case "--only": only = Set(try value(argument).split(separator: ",").map(String.init))
            case "--no-peers": peers = false
            case "--blocks": blocks = try count(argument)
            case "--saves": saves = try count(argument)
            case "--history": history = try count(argument)
            case "--users": manyUsers = try count(argument)
            case "--keep": keepScratch = true
            case "--help", "-h": throw BenchError(Self.usage)
            default: throw BenchError("unknown argument '\(argument)'\n\(Self.usage)")
            }
        }
        if let unknown = only?.subtracting(Self.scenarioIDs).first {
            throw BenchError("unknown scenario '\(unknown)'; known: \(Self.scenarioIDs.joined(separator: ", "))")
        }
    }

    private mutating func applySmoke() {
        mode = "smoke"
        (blocks, saves, history, naiveSaves, coldLoads) = (2, 5, 200, 2, 2)
        (manyUsers, parallelSaves, peerSaves, warmUp) = (200, 2, 10, false)
    }

    private mutating func applyQuick() {
        mode = "quick"
        (blocks, saves, naiveSaves, coldLoads) = (6, 30, 4, 3)
        (manyUsers, parallelSaves, peerSaves) = (20_000, 10, 100)
    }

    func runs(_ scenario: String) -> Bool { only?.contains(scenario) ?? true }
}
