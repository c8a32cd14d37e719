import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// Every stored property of the model is saved: the diff, the events, the direct journal
/// writer and the direct reader each handle it. A field added to a model type without an entry here fails the first
/// test (the table must name it), and a field the diff forgets fails the second (its change is
/// not reproduced by the events).
@Suite("Model field coverage")
struct ModelFieldCoverageTests {
    typealias Change = @Sendable (inout CoachContext) -> Void

    /// For each model type, each stored property with a change of only that property.
    static let changes: [String: [String: Change]] = [
        "CoachContext": [
            "userID": { $0.userID += "-other" },
            "currentState": { $0.currentState = .completed },
            "conversationHistory": { $0.conversationHistory.append(ChatMessage(role: .user, content: "more", timestamp: Date(timeIntervalSince1970: 9))) },
            "consolidatedSummary": { $0.consolidatedSummary = "a new summary" },
            "userProfile": { $0.userProfile.preferredName = "Other" },
            "identities": { $0.identities.append(Identity(id: "new", statement: "I read", createdAt: Date(timeIntervalSince1970: 5))) },
            "metadata": { $0.metadata["new"] = true },
        ],
        "ChatMessage": [
            "role": { $0.conversationHistory[1].role = .system },
            "content": { $0.conversationHistory[1].content += "!" },
            "timestamp": { $0.conversationHistory[1].timestamp += 1 },
            "metadata": { $0.conversationHistory[1].metadata["model"] = "coach-2" },
        ],
        "UserProfile": [
            "preferredName": { $0.userProfile.preferredName = nil },
            "timeZone": { $0.userProfile.timeZone = "Asia/Tokyo" },
            "locale": { $0.userProfile.locale = "ja" },
            "goals": { $0.userProfile.goals.append("swim") },
            "values": { $0.userProfile.values = [] },
            "attributes": { $0.userProfile.attributes["age"] = 35 },
        ],
        "Identity": [
            "id": { $0.identities[0].id = "other" },
            "statement": { $0.identities[0].statement += "." },
            "status": { $0.identities[0].status = .embodied },
            "supportingActions": { $0.identities[0].supportingActions.removeLast() },
            "createdAt": { $0.identities[0].createdAt += 0.001 },
        ],
    ]

    static func base() -> CoachContext {
        var context = sampleContext("ana", messages: 3)
        context.consolidatedSummary = "summary"
        context.conversationHistory[1].metadata = ["model": "coach-1"]
        context.userProfile = UserProfile(preferredName: "Ana", timeZone: "Europe/Lisbon", locale: "pt", goals: ["run"], values: ["health"], attributes: ["age": 34])
        context.identities = [Identity(id: "runner", statement: "I run", status: .committed, supportingActions: ["tuesday", "friday"], createdAt: Date(timeIntervalSince1970: 1))]
        context.metadata = ["plan": "free"]
        return context
    }

    static func storedProperties(_ value: Any) -> Set<String> {
        Set(Mirror(reflecting: value).children.compactMap(\.label))
    }

    @Test("the table names every stored property of every model type")
    func tableIsComplete() {
        let context = Self.base()
        let models: [String: Any] = [
            "CoachContext": context, "ChatMessage": context.conversationHistory[1],
            "UserProfile": context.userProfile, "Identity": context.identities[0],
        ]
        for (name, value) in models {
            #expect(Self.storedProperties(value) == Set(Self.changes[name]?.keys.map { $0 } ?? []), "\(name): a field without a change in this table")
        }
    }

    @Test("a change of any one field is saved by the diff's events and written by the journal writer")
    func everyFieldIsSaved() throws {
        for (model, fields) in Self.changes {
            for (field, change) in fields {
                let old = Self.base()
                var new = old
                change(&new)
                let differs = new != old
                #expect(differs, "\(model).\(field): the change changes nothing")
                // The writer: its bytes are JSONEncoder's and decode to the new value.
                var writer = JournalJSONWriter()
                try writer.context(new)
                let sameBytes = writer.bytes == Array(try JSONCoding.compactEncoder().encode(new))
                #expect(sameBytes, "\(model).\(field): writer")
                let readBack = try JSONCoding.decoder().decode(CoachContext.self, from: Data(writer.bytes)) == new
                #expect(readBack, "\(model).\(field): writer")
                // The direct reader: a field it does not know it would skip, and drop on load.
                let snapshot = try SnapshotFile(context: new, sequence: 1).encoded()
                let direct = snapshot.withUnsafeBufferPointer(JournalJSONReader.snapshotBody)?.context == new
                #expect(direct, "\(model).\(field): the direct reader does not read this field back")
                guard field != "userID" else { continue }  // the key a context is stored under, never a change
                // The diff: its events, written and read back as a record, turn old into new.
                let events = ContextDiff.events(from: old, to: new)
                var line = try JournalRecord(sequence: 2, events: events).encodedLine()
                line.removeLast()
                let record = try JournalRecord.decode(line: line[...], decoder: JSONCoding.decoder()).get()
                var replayed = old
                for event in record.events { event.apply(to: &replayed) }
                let saved = replayed == new  // a Bool, so a failure does not print two whole contexts
                #expect(saved, "\(model).\(field): the diff does not save this field")
            }
        }
    }
}
