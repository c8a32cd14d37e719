import Foundation

/// One run: every scenario asked for, in turn, then the table and the JSON file.
enum Bench {
    /// Runs the scenarios; returns the exit status (1 if a scenario failed).
    static func run(_ settings: BenchSettings, arguments: [String]) async -> Int32 {
        let scratch: Scratch
        do { scratch = try Scratch() } catch {
            Log.line("coach-store-bench: cannot create a scratch folder: \(error)")
            return 1
        }
        Log.line("coach-store-bench (\(settings.mode)): scratch folder \(scratch.root.path)")
        var results = BenchResults()
        var failed = false
        for id in BenchSettings.scenarioIDs where settings.runs(id) {
            Log.line("- \(id)")
            let start = monotonicNanoseconds()
            do {
                for figure in try await scenario(id, settings, scratch, &results) { results.add(figure) }
            } catch {
                failed = true
                results.skip(id, "failed: \(error)")
            }
            Log.line("  (\(Report.number(microseconds(since: start) / 1_000_000)) s)")
        }
        if settings.keepScratch { Log.line("kept \(scratch.root.path)") } else { scratch.remove() }
        let document = Report.Document(
            date: ISO8601DateFormatter().string(from: Date()),
            command: (["coach-store-bench"] + arguments).joined(separator: " "),
            mode: settings.mode, machine: Machine.current(tempDirectory: FileManager.default.temporaryDirectory.path),
            figures: results.figures, skipped: results.skipped)
        print(Report.table(document))
        do {
            try Report.writeJSON(document, to: settings.jsonPath)
            Log.line("wrote \(settings.jsonPath)")
        } catch {
            Log.line("cannot write \(settings.jsonPath): \(error)")
            return 1
        }
        return failed ? 1 : 0
    }

    private static func scenario(
        _ id: String, _ s: BenchSettings, _ scratch: Scratch, _ results: inout BenchResults
    ) async throws -> [Figure] {
        switch id {
        case "save": return try await SaveScenario.run(s, scratch)
        case "history": return try await HistoryScenario.run(s, scratch)
        case "naive": return try await NaiveStoreScenario.run(s, scratch)
        case "cold-load": return try await ColdLoadScenario.run(s, scratch)
        case "compaction": return try await CompactionScenario.run(s, scratch)
        case "parallel": return try await ParallelScenario.run(s, scratch)
        case "group-commit": return try await UpdateScenario.run(s, scratch)
        case "many-users": return try await ManyUsersScenario.run(s, scratch)
        case "sqlite":
            guard s.peers else {
                results.skip(id, "--no-peers")
                return []
            }
            guard let script = SQLitePeerScenario.peerScript() else {
                results.skip(id, "../shared/peers/sqlite_peer.py not found beside the package")
                return []
            }
            guard let python = SQLitePeerScenario.python() else {
                results.skip(id, "python3 not found on PATH")
                return []
            }
            return try await SQLitePeerScenario.run(s, scratch, script: script, python: python)
        default: throw BenchError("unknown scenario \(id)")
        }
    }
}
