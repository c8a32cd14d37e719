/// The model types and journal events, key by key in sorted order, exactly as their `Codable`
/// conformances encode them.
extension JournalJSONWriter {
    /// About how many bytes `messages` take written: their text plus room for the JSON around
    /// each, so a buffer can be allocated once.
    static func estimatedLength(of messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + $1.content.utf8.count + 128 }
    }

    mutating func event(_ event: JournalEvent) throws(NonFiniteNumber) {
        raw(#"{"type":"#)
        string(event.typeName)
        raw(#","value":"#)
        switch event {
        case .contextReplaced(let context): try self.context(context)
        case .messagesAppended(let messages), .historyReplaced(let messages):
            try array(messages) { w, m throws(NonFiniteNumber) in try w.message(m) }
        case .historyTruncated(let count): integer(count)
        case .stateChanged(let state): string(state.rawValue)
        case .summaryChanged(let summary): if let summary { string(summary) } else { raw("null") }
        case .profileChanged(let profile): try self.profile(profile)
        case .identitiesChanged(let identities): try array(identities) { w, i in w.identity(i) }
        case .metadataSet(let values): try object(values)
        case .metadataRemoved(let keys): strings(keys)
        }
        raw("}")
    }

    mutating func message(_ message: ChatMessage) throws(NonFiniteNumber) {
        // Each key with its punctuation is one literal: a message is written on every save,
        // and each append has a fixed cost.
        raw(#"{"content":"#); string(message.content)
        if !message.metadata.isEmpty {
            raw(#","metadata":"#); try object(message.metadata)
        }
        raw(#","role":"#); string(message.role.rawValue)
        raw(#","timestamp":"#); try timestamp(message.timestamp)
        raw("}")
    }

    mutating func context(_ c: CoachContext) throws(NonFiniteNumber) {
        raw("{")
        if let summary = c.consolidatedSummary { key("consolidatedSummary"); string(summary); raw(",") }
        key("conversationHistory"); try array(c.conversationHistory) { w, m throws(NonFiniteNumber) in try w.message(m) }
        raw(","); key("currentState"); string(c.currentState.rawValue)
        raw(","); key("identities"); try array(c.identities) { w, i in w.identity(i) }
        raw(","); key("metadata"); try object(c.metadata)
        raw(","); key("userID"); string(c.userID)
        raw(","); key("userProfile"); try profile(c.userProfile)
        raw("}")
    }

    mutating func profile(_ p: UserProfile) throws(NonFiniteNumber) {
        raw("{"); key("attributes"); try object(p.attributes)
        raw(","); key("goals"); strings(p.goals)
        if let locale = p.locale { raw(","); key("locale"); string(locale) }
        if let name = p.preferredName { raw(","); key("preferredName"); string(name) }
        if let zone = p.timeZone { raw(","); key("timeZone"); string(zone) }
        raw(","); key("values"); strings(p.values)
        raw("}")
    }

    mutating func identity(_ i: Identity) {
        raw("{"); key("createdAt"); try! timestamp(i.createdAt)
        raw(","); key("id"); string(i.id)
        raw(","); key("statement"); string(i.statement)
        raw(","); key("status"); string(i.status.rawValue)
        raw(","); key("supportingActions"); strings(i.supportingActions)
        raw("}")
    }

    mutating func timestamp(_ date: Date) throws(NonFiniteNumber) {
        let ms = Timestamp.milliseconds(date)
        bytes.append(UInt8(ascii: "\""))
        if Timestamp.appendText(milliseconds: ms, to: &bytes) {
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.removeLast()
            integer(ms)
        }
    }
}

import Foundation
