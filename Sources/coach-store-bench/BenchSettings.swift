import CommandLineParsing

/// How much to measure, from the command line.
struct BenchSettings: ParsableCommand {
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
    /// Parallel writers, and durable saves per writer per block. 80, not 20: a block ends when
    /// its slowest writer does, and with 20 saves each (about 30 ms) one disk stall decided a
    /// block; the figure then ranged 0.66-1.21x over a day, and 0.78-0.91x with 80.
    var parallelUsers = 16
    var parallelSaves = 80
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

    /// The command line, read by the parser that coach-store and the crash writer share.
    static let spec = CommandSpec(
        program: "coach-store-bench", name: "",
        summary: "measure the store against baselines timed in the same run, in interleaved blocks",
        options: [
            OptionSpec(name: "smoke", help: "tiny counts, a few seconds (for CI)"),
            OptionSpec(name: "quick", help: "fewer blocks and users (about a minute)"),
            OptionSpec(name: "json", value: "PATH", help: "where to write the figures (default coach-store-bench.json)"),
            OptionSpec(name: "only", value: "IDS", help: "run only these scenarios: \(scenarioIDs.joined(separator: ", "))"),
            OptionSpec(name: "no-peers", help: "skip the SQLite peer"),
            OptionSpec(name: "blocks", value: "N", help: "interleaved blocks per figure"),
            OptionSpec(name: "saves", value: "N", help: "timed saves per block"),
            OptionSpec(name: "history", value: "N", help: "the long history (10000)"),
            OptionSpec(name: "users", value: "N", help: "users of the big store (100000)"),
            OptionSpec(name: "keep", help: "keep the scratch folder in the temp dir"),
        ],
        details: "--smoke and --quick set every count; the counts given with them win.")

    /// Parses the arguments (without the program name); `--help` and mistakes throw a
    /// ``BenchError`` with the text to print.
    init(arguments: [String]) throws {
        do {
            guard let settings = try Self.parse(arguments) else { throw BenchError(Self.spec.help) }
            self = settings
        } catch let error as UsageError {
            throw BenchError("coach-store-bench: \(error.message)\n\(Self.spec.help)")
        }
    }

    private init() {}

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

extension BenchSettings {
    /// Reads the options: a mode first (`--smoke`, `--quick`), then the counts given, which win.
    init(parsing arguments: ParsedArguments) throws(UsageError) {
        self.init()
        if arguments.flag("smoke") { applySmoke() } else if arguments.flag("quick") { applyQuick() }
        if let path = arguments.value("json") { jsonPath = path }
        if let ids = arguments.value("only") { only = Set(ids.split(separator: ",").map(String.init)) }
        if arguments.flag("no-peers") { peers = false }
        blocks = try arguments.integer("blocks", minimum: 1) ?? blocks
        saves = try arguments.integer("saves", minimum: 1) ?? saves
        history = try arguments.integer("history", minimum: 1) ?? history
        manyUsers = try arguments.integer("users", minimum: 1) ?? manyUsers
        keepScratch = arguments.flag("keep")
    }

    /// Only known scenario ids.
    func validate() throws(UsageError) {
        if let unknown = only?.subtracting(Self.scenarioIDs).sorted().first {
            throw UsageError("unknown scenario '\(unknown)'; known: \(Self.scenarioIDs.joined(separator: ", "))", command: Self.spec.topic)
        }
    }
}
