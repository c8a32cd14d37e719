import Foundation
import Testing
@testable import CoachPersistence

/// Every byte, part two: each byte of each journal record and of a snapshot, changed to each
/// of several values, one at a time, on the simulated disk. The change must be detected and
/// never returned as data. A damaged last record is cut as a torn tail (the records before it
/// load) only when it has a shape an interrupted append can leave: it lost its newline, or it
/// holds a byte no writer or editor writes (a control byte, invalid UTF-8). A last record that
/// stays whole lines of text (an edit, or bit rot that looks like one) is `corruptJournal`, as is
/// any other damaged record, naming the file and line; a damaged snapshot is `corruptSnapshot`.
/// Read-only opens change no byte, and neither does a writable open that finds corruption.
@Suite("Every byte changed")
struct ByteCorruptionTests {
    /// What a damaged journal must load as.
    enum Verdict: Equatable {
        /// The damage reads as a torn tail: the records before it load.
        case tornTail(CoachContext?)
        case corruptJournal(line: Int)
        case corruptSnapshot
    }

    @Test("a changed byte in any journal record is detected")
    func everyJournalByte() async throws {
        let (fixture, disk) = try await makeFixture(compactedSaves: 0)
        var changed = 0
        for (index, record) in fixture.records.enumerated() {
            for offset in record {
                for (choice, value) in replacements(for: fixture.journal[offset]).enumerated() {
                    var bytes = fixture.journal
                    bytes[offset] = value
                    var damaged = disk
                    damaged.overwrite(fixture.paths.journal, with: bytes)
                    let label = "journal byte \(offset) (record \(index + 1)) set to \(value)"
                    let verdict = verdict(fixture, damagedRecord: index, offset: offset, value: value)
                    await check(damaged, fixture, verdict, label, alsoReadOnly: choice == 0)
                    changed += 1
                }
            }
        }
        print("[fault injection] journal: \(fixture.journal.count) bytes, \(changed) single-byte changes")
    }

    @Test("a changed byte anywhere in a snapshot is detected")
    func everySnapshotByte() async throws {
        let (fixture, disk) = try await makeFixture(compactedSaves: 2)
        let snapshot = try #require(try disk.readFile(fixture.paths.snapshot))
        var changed = 0
        for offset in snapshot.indices {
            for (choice, value) in replacements(for: snapshot[offset]).enumerated() {
                var bytes = snapshot
                bytes[offset] = value
                var damaged = disk
                damaged.overwrite(fixture.paths.snapshot, with: bytes)
                await check(damaged, fixture, .corruptSnapshot, "snapshot byte \(offset) set to \(value)", alsoReadOnly: choice == 0)
                changed += 1
            }
        }
        print("[fault injection] snapshot: \(snapshot.count) bytes, \(changed) single-byte changes")
    }

    private func makeFixture(compactedSaves: Int) async throws -> (JournalFixture, SimulatedDisk) {
        let fileSystem = SimulatedFileSystem()
        let fixture = try await JournalFixture.make(
            fileSystem: fileSystem, root: Workload.root, options: Workload.options, compactedSaves: compactedSaves)
        return (fixture, fileSystem.disk)
    }

    /// Any record but the last: corruption at its line. The last record: corruption when the
    /// change hit its checksum digits (a whole record whose checksum fails); a torn tail when
    /// the change took its newline or left bytes that are not text (the shapes of an interrupted
    /// append, format page "Recovery rules"); corruption when it is still whole lines of text.
    private func verdict(_ fixture: JournalFixture, damagedRecord index: Int, offset: Int, value: UInt8) -> Verdict {
        let record = fixture.records[index]
        guard index == fixture.records.count - 1 else { return .corruptJournal(line: index + 1) }
        if offset == record.upperBound - 1 { return .tornTail(fixture.contexts[index]) }
        // Its 8 checksum digits: the record is still whole (ends with the suffix, decodes).
        let digits = (record.upperBound - 11)..<(record.upperBound - 3)
        if digits.contains(offset) { return .corruptJournal(line: index + 1) }
        var bytes = Array(fixture.journal[record.lowerBound..<(record.upperBound - 1)])
        bytes[offset - record.lowerBound] = value
        let isText = String(validating: bytes, as: UTF8.self) != nil
            && !bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return isText ? .corruptJournal(line: index + 1) : .tornTail(fixture.contexts[index])
    }

    /// Opens `disk` writable and checks its load against `verdict`. For the first value of each
    /// byte, also opens it read-only first, and saves after a torn tail is cut. (Not for every
    /// value: read-only opens re-read a corrupt journal three times before reporting it.)
    private func check(_ disk: SimulatedDisk, _ fixture: JournalFixture, _ verdict: Verdict, _ label: String, alsoReadOnly: Bool) async {
        let fileSystem = SimulatedFileSystem(disk: disk)
        let before = disk.files()
        for readOnly in alsoReadOnly ? [true, false] : [false] {
            let mode = "\(label), \(readOnly ? "read-only" : "writable")"
            do {
                let store = try Workload.openStore(fileSystem, readOnly: readOnly)
                let loaded = try await store.loadContext(userID: JournalFixture.userID)
                guard case .tornTail(let prefix) = verdict else {
                    let records = fixture.contexts.firstIndex(of: loaded).map { "the first \($0) records" } ?? "something else"
                    Issue.record("\(mode): loaded \(records) instead of failing with \(verdict)")
                    continue
                }
                #expect(loaded == prefix, "\(mode): loaded \(loaded.map { "\($0.conversationHistory.count) messages" } ?? "nothing")")
                if !readOnly && alsoReadOnly { await checkStillWritable(store, loaded, fixture, mode) }
            } catch {
                checkError(error, verdict, fixture, mode)
            }
            if readOnly || !isTornTail(verdict) {
                #expect(fileSystem.disk.files() == before, "\(mode): files changed")
            }
        }
    }

    private func isTornTail(_ verdict: Verdict) -> Bool {
        if case .tornTail = verdict { return true }
        return false
    }

    private func checkError(_ error: any Error, _ verdict: Verdict, _ fixture: JournalFixture, _ label: String) {
        switch (error as? StateStoreError, verdict) {
        case (.corruptJournal(let user, let file, let line, _)?, .corruptJournal(let expectedLine)):
            #expect(user == JournalFixture.userID && file == fixture.paths.journal && line == expectedLine, "\(label): \(error)")
        case (.corruptSnapshot(let user, let file, _)?, .corruptSnapshot):
            #expect(user == JournalFixture.userID && file == fixture.paths.snapshot, "\(label): \(error)")
        default:
            Issue.record("\(label): expected \(verdict), got \(error)")
        }
    }

    /// After a torn tail is cut, a save goes on from the sound records and loads back.
    private func checkStillWritable(_ store: FileStateStore, _ loaded: CoachContext?, _ fixture: JournalFixture, _ label: String) async {
        var next = loaded ?? CoachContext(userID: JournalFixture.userID)
        next.conversationHistory.append(Workload.message(8, "after the damage"))
        do {
            try await store.saveContext(next)
            try await store.close()
            let reopened = try Workload.openStore(store.fileSystem, readOnly: true)
            #expect(try await reopened.loadContext(userID: JournalFixture.userID) == next, "\(label): save after the cut")
        } catch {
            Issue.record("\(label): save after the cut: \(error)")
        }
    }
}
