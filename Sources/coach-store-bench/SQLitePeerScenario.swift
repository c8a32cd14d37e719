import CoachPersistence
import Foundation

/// The store most apps would pick instead: SQLite, one row per message and one transaction per
/// save, run by `shared/peers/sqlite_peer.py` beside the package. Our durable save is held
/// against WAL with `synchronous=FULL`, our batched save against WAL with `synchronous=NORMAL`.
enum SQLitePeerScenario {
    /// Where the peer script is: `../shared` from the package root, else from the current folder.
    static func peerScript() -> String? {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            packageRoot.deletingLastPathComponent().appendingPathComponent("shared/peers/sqlite_peer.py").path,
            FileManager.default.currentDirectoryPath + "/../shared/peers/sqlite_peer.py",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    static func python() -> String? {
        ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map { $0 + "/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ s: BenchSettings, _ scratch: Scratch, script: String, python: String) async throws -> [Figure] {
        let durable = try FileStateStore(directory: scratch.folder("peer-durable"), options: Workload.options(.durable))
        let batched = try FileStateStore(directory: scratch.folder("peer-batched"), options: Workload.options(.batched))
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = scratch.root.path  // the peer's database lands in our scratch folder, same file system
        func peer(_ mode: String) throws -> Double {
            let output = try runProgram(python, [script, mode, String(s.peerSaves)], environment: environment)
            guard let micros = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw BenchError("the SQLite peer printed '\(output)', not a number")
            }
            return micros
        }
        func ours(_ store: FileStateStore, _ user: String) async throws -> Double {
            let conversation = try await Conversation(store: store, userID: user, history: s.shortHistory)
            return Samples(values: try await conversation.timedTurns(s.peerSaves)).mean
        }
        var means = (durable: Samples(), full: Samples(), batched: Samples(), normal: Samples())
        for block in (s.warmUp ? -1 : 0)..<s.blocks {
            let durableMean = try await ours(durable, "durable-\(block)")
            let fullMean = try peer("WAL-FULL")
            let batchedMean = try await ours(batched, "batched-\(block)")
            let normalMean = try peer("WAL-NORMAL")
            guard block >= 0 else { continue }
            means.durable.values.append(durableMean)
            means.full.values.append(fullMean)
            means.batched.values.append(batchedMean)
            means.normal.values.append(normalMean)
        }
        try await durable.close()
        try await batched.close()
        let note = "\(s.blocks) interleaved blocks of \(s.peerSaves) saves: ours (a fresh user, one ~400-byte message per save) "
            + "then one run of sqlite_peer.py (a fresh database, one row per save, same text); median of the block means"
        return [
            Figure(
                id: "sqlite-wal-full", title: "durable save vs SQLite WAL, synchronous=FULL",
                ours: .init(label: "durable save, mean", value: means.durable.median, unit: "µs"),
                baseline: .init(label: "SQLite WAL/FULL, mean", value: means.full.median, unit: "µs"),
                goal: .atMost(1.0), note: note),
            Figure(
                id: "sqlite-wal-normal", title: "batched save vs SQLite WAL, synchronous=NORMAL",
                ours: .init(label: "batched save (1 s), mean", value: means.batched.median, unit: "µs"),
                baseline: .init(label: "SQLite WAL/NORMAL, mean", value: means.normal.median, unit: "µs"),
                goal: .atMost(1.0), note: note),
        ]
    }
}
