import CoachPersistence
import CoachTestSupport
import Foundation
import Testing

/// The public maintenance API the tool is built on, tested directly.
@Suite("Maintenance API")
struct MaintenanceAPITests {
    @Test("StoreInspector refuses a folder that is not a store and creates nothing")
    func inspectorRefusesNonStore() throws {
        let dir = TemporaryDirectory("api-nonstore")
        defer { dir.remove() }
        #expect(throws: StateStoreError.self) { try StoreInspector(directory: dir.url.appendingPathComponent("missing")) }
        #expect(throws: StateStoreError.self) { try StoreInspector(directory: dir.url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test("summaries and journal entries describe the files as stored")
    func summariesAndJournal() async throws {
        let dir = TemporaryDirectory("api-summary")
        defer { dir.remove() }
        let written = try await writeSampleStore(dir.url)
        let inspector = try StoreInspector(directory: dir.url)
        #expect(try inspector.userIDs() == ["alice", "bob", "carol"])
        let carol = try #require(try inspector.summary(userID: "carol"))
        #expect(carol.folder == "users/carol")
        #expect(carol.state == .habitBuilding && carol.messageCount == 10)
        #expect(carol.sequence == 5 && carol.snapshotSequence == 3 && carol.pendingRecords == 2 && carol.journalRecords == 2)
        #expect(carol.lastActivity == written["carol"]!.versions.last!.conversationHistory.last!.timestamp)
        #expect(try inspector.summary(userID: "dave") == nil)
        #expect(try inspector.journal(userID: "dave") == nil)

        let entries = try #require(try inspector.journal(userID: "alice"))
        #expect(entries.map(\.line) == [1, 2, 3, 4, 5])
        #expect(entries.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(entries.allSatisfy { $0.status == .ok && !$0.coveredBySnapshot })
        #expect(entries[0].events.map(\.type) == ["contextReplaced"])
        #expect(entries[1].events.map(\.type) == ["messagesAppended", "metadataSet"])
        #expect(entries[4].events.last?.summary == "→ valuesDiscovery")
        #expect(entries[1].offset == entries[0].length)
        #expect(try inspector.contexts() == ["alice", "bob", "carol"].map { written[$0]!.versions.last! })
    }

    @Test("verify classifies problems and points at file and line")
    func verifyKinds() async throws {
        let dir = TemporaryDirectory("api-verify")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        let inspector = try StoreInspector(directory: dir.url)
        #expect(try inspector.verify().isClean)

        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 2, replacing: "turn 2", with: "turn 0")
        let torn = try FileHandle(forWritingTo: dir.url.appendingPathComponent("users/bob/journal.jsonl"))
        try torn.seekToEnd()
        try torn.write(contentsOf: Data("{\"seq\":3".utf8))
        try torn.close()
        let report = try inspector.verify()
        #expect(report.users == 3 && report.snapshots == 1 && report.lines == 10)
        #expect(report.problems.map(\.kind) == [.corruptJournal, .tornTail])
        #expect(report.problems.map(\.relativePath) == ["users/alice/journal.jsonl", "users/bob/journal.jsonl"])
        #expect(report.problems.map(\.line) == [2, 3])
        #expect(report.problems.map(\.userID) == ["alice", "bob"])
        #expect(report.problems.allSatisfy { $0.isRepairable })
        #expect(report.problems[0].description.hasPrefix("users/alice/journal.jsonl:2: checksum mismatch"))
        #expect(throws: StateStoreError.noSuchUser(userID: "dave", directory: dir.url.path)) { try inspector.verify(userID: "dave") }
    }

    @Test("verify finds a sequence gap and a record that holds another user's context")
    func verifySequenceAndOwner() async throws {
        let dir = TemporaryDirectory("api-verify-seq")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        // Drop alice's record 3 whole: every line is sound, but 4 does not follow 2.
        let journal = dir.url.appendingPathComponent("users/alice/journal.jsonl")
        var lines = try journalLines(journal)
        lines.remove(at: 2)
        try lines.reduce(Data(), +).write(to: journal)
        // Give bob's folder a copy of carol's snapshot.
        try FileManager.default.copyItem(
            at: dir.url.appendingPathComponent("users/carol/snapshot.json"), to: dir.url.appendingPathComponent("users/bob/snapshot.json"))
        let report = try StoreInspector(directory: dir.url).verify()
        #expect(report.problems.count == 2)
        #expect(report.problems[0].kind == .corruptJournal && report.problems[0].line == 3)
        #expect(report.problems[0].reason.contains("sequence gap") || report.problems[0].reason.contains("does not follow"))
        #expect(report.problems[1].kind == .corruptSnapshot && report.problems[1].relativePath == "users/bob/snapshot.json")
        #expect(report.problems[1].reason.contains("'carol'"))
        #expect(!report.problems[1].isRepairable)
    }

    @Test("repair takes the write lock: it refuses while a FileStateStore is open")
    func repairNeedsLock() async throws {
        let dir = TemporaryDirectory("api-repair-lock")
        defer { dir.remove() }
        _ = try await writeSampleStore(dir.url)
        try alter(dir.url.appendingPathComponent("users/alice/journal.jsonl"), line: 3, replacing: "turn 3", with: "turn 0")
        let writer = try await openWriter(dir.url)
        #expect(throws: StateStoreError.locked(directory: dir.url.path)) { try StoreRepair.repair(userID: "alice", in: dir.url) }
        try await writer.close()
        let report = try StoreRepair.repair(userID: "alice", in: dir.url)
        #expect(report.changed && report.damagedLine == 3 && report.keptRecords == 2 && report.lastKeptSequence == 2)
        #expect(report.cutLines == 3 && report.cutSequences == [4, 5])
        #expect(report.backup == dir.url.path + "/users/alice/journal.jsonl.repair-backup")
        #expect(!(try StoreRepair.repair(userID: "alice", in: dir.url)).changed)
    }

    @Test("ContextArchive reads back one context or many, equal to what it wrote")
    func archiveRoundTrip() throws {
        let contexts = [sampleContext("a", messages: 3), sampleContext("b ☕️", messages: 0, state: .completed)]
        #expect(try ContextArchive.decode(ContextArchive.encode(contexts)) == contexts)
        #expect(try ContextArchive.decode(ContextArchive.encode(contexts[0])) == [contexts[0]])
        #expect(try ContextArchive.decode(Data("  []\n".utf8)) == [])
        #expect(throws: StateStoreError.self) { try ContextArchive.decode(Data("3".utf8)) }
    }

    @Test("inspection of a store a live writer keeps saving and compacting never sees damage")
    func inspectionUnderLiveWriter() async throws {
        let dir = TemporaryDirectory("api-live")
        defer { dir.remove() }
        let writer = try FileStateStore(
            directory: dir.url,
            options: .init(durability: .unsynced, compactionThresholdBytes: 2_000, compactionThresholdRecords: 4))
        var context = sampleContext("live", messages: 2)
        try await writer.saveContext(context)
        let inspector = try StoreInspector(directory: dir.url)
        let done = Flag(), started = Flag()
        defer { done.set() }
        let inspecting = Task.detached { () throws -> Int in
            var checks = 0
            repeat {
                let report = try inspector.verify()
                #expect(report.isClean, "\(report.problems)")
                let loaded = try #require(try inspector.context(userID: "live"))
                #expect(loaded.conversationHistory.count >= 2)
                checks += 1
                started.set()
            } while !done.isSet
            return checks
        }
        while !started.isSet { try await Task.sleep(for: .milliseconds(1)) }
        for i in 0..<300 {
            context.conversationHistory.append(ChatMessage(role: .user, content: "save \(i)"))
            try await writer.saveContext(context)
            if i % 10 == 0 { await Task.yield() }
        }
        done.set()
        #expect(try await inspecting.value > 0)
        try await writer.close()
        #expect(try inspector.verify().isClean)
        #expect(try inspector.context(userID: "live")?.conversationHistory.count == 302)
    }
}

/// A flag one task sets and another polls.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
