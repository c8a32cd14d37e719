import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// An adversarial review of the direct JSON reader (`JournalJSONReader`) against `JSONDecoder`.
///
/// The contract checked on every input: the reader declines (`nil`), or it returns a value that
/// is `==` to what `JSONDecoder` and the model's `Decodable` conformances make of the same bytes
/// *and* has the same bytes in every string (Swift's `String ==` is canonical equivalence, but
/// the store writes the bytes back), the same `Double` bit patterns and the same dates. Where
/// `JSONDecoder` throws, the reader must decline. `JSONDecoder` is only asked when the reader
/// reads, unless a case says what `JSONDecoder` must do.
///
/// Documents are built as small trees (``J``) from templates shaped like what the store writes,
/// then varied at every place: nulls, unknown and duplicate members, member order, escaped keys,
/// every kind of whitespace, truncation, trailing bytes, numbers and strings of every awkward
/// kind, invalid UTF-8, deep nesting. A seeded loop composes those variations at random.
@Suite("Journal JSON reader: adversarial inputs")
struct JournalJSONReaderAdversarialTests {
    // MARK: - Documents as trees

    /// A JSON document whose leaves are raw bytes, so that anything, valid or not, can be
    /// written at any place.
    indirect enum J: Sendable {
        /// A number, a literal, or any other bytes, written as they are.
        case raw([UInt8])
        /// A string: the bytes between its quotes, written as they are (escapes included).
        case string([UInt8])
        case array([J])
        case object([Member])

        struct Member: Sendable {
            /// The bytes between the key's quotes, written as they are.
            var key: [UInt8]
            var value: J
        }

        static func s(_ text: String) -> J { .string(Array(text.utf8)) }
        static func n(_ text: String) -> J { .raw(Array(text.utf8)) }
        static let null = J.raw(Array("null".utf8))
        static func o(_ members: [(String, J)]) -> J { .object(members.map { Member(key: Array($0.0.utf8), value: $0.1) }) }

        /// The document's bytes; `gap` is called at every place JSON allows whitespace (before
        /// and after every token) and its bytes are written there.
        func encoded(_ gap: () -> [UInt8] = { [] }) -> [UInt8] {
            var out = gap()
            write(into: &out, gap)
            out += gap()
            return out
        }

        private func write(into out: inout [UInt8], _ gap: () -> [UInt8]) {
            switch self {
            case .raw(let bytes): out += bytes
            case .string(let bytes):
                out.append(0x22)
                out += bytes
                out.append(0x22)
            case .array(let items):
                out.append(UInt8(ascii: "["))
                out += gap()
                for (i, item) in items.enumerated() {
                    if i > 0 {
                        out.append(UInt8(ascii: ","))
                        out += gap()
                    }
                    item.write(into: &out, gap)
                    out += gap()
                }
                out.append(UInt8(ascii: "]"))
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                out += gap()
                for (i, member) in members.enumerated() {
                    if i > 0 {
                        out.append(UInt8(ascii: ","))
                        out += gap()
                    }
                    J.string(member.key).write(into: &out, gap)
                    out += gap()
                    out.append(UInt8(ascii: ":"))
                    out += gap()
                    member.value.write(into: &out, gap)
                    out += gap()
                }
                out.append(UInt8(ascii: "}"))
            }
        }

        /// Every node's path (indexes of array elements and object members), the root's first.
        func paths(_ prefix: [Int] = []) -> [[Int]] {
            var result = [prefix]
            switch self {
            case .array(let items): for (i, item) in items.enumerated() { result += item.paths(prefix + [i]) }
            case .object(let members): for (i, member) in members.enumerated() { result += member.value.paths(prefix + [i]) }
            default: break
            }
            return result
        }

        func node(at path: ArraySlice<Int>) -> J {
            guard let first = path.first else { return self }
            switch self {
            case .array(let items): return items[first].node(at: path.dropFirst())
            case .object(let members): return members[first].value.node(at: path.dropFirst())
            default: return self
            }
        }

        mutating func update(at path: ArraySlice<Int>, _ change: (inout J) -> Void) {
            guard let first = path.first else { return change(&self) }
            switch self {
            case .array(var items):
                items[first].update(at: path.dropFirst(), change)
                self = .array(items)
            case .object(var members):
                members[first].value.update(at: path.dropFirst(), change)
                self = .object(members)
            default: break
            }
        }

        func replacing(at path: [Int], with value: J) -> J {
            var copy = self
            copy.update(at: path[...]) { $0 = value }
            return copy
        }

        /// `self` with the members of the object at `path` changed by `change`.
        func changingMembers(at path: [Int], _ change: (inout [Member]) -> Void) -> J {
            var copy = self
            copy.update(at: path[...]) { node in
                guard case .object(var members) = node else { return }
                change(&members)
                node = .object(members)
            }
            return copy
        }

        var members: [Member]? {
            if case .object(let members) = self { return members }
            return nil
        }

        /// Paths of every object in the document.
        var objectPaths: [[Int]] { paths().filter { node(at: $0[...]).members != nil } }
    }

    // MARK: - Templates: what the store writes, by hand

    static func message(_ content: String, timestamp: J, role: String = "user", metadata: J? = nil) -> J {
        var members: [(String, J)] = [("role", .s(role)), ("content", .s(content)), ("timestamp", timestamp)]
        if let metadata { members.append(("metadata", metadata)) }
        return .o(members)
    }

    static var metadataTemplate: J {
        .o([
            ("model", .s("coach-large")), ("tokens", .n("1234")), ("ratio", .n("0.25")), ("big", .n("9007199254740993")), ("negativeZero", .n("-0")),
            ("flag", .n("true")), ("off", .n("false")), ("nothing", .null), ("list", .array([.n("1"), .s("two"), .array([]), .object([]), .n("-1.5e-7")])),
            ("nested", .o([("a", .o([("b", .array([.n("1E2"), .s(#"caf\u00e9"#)]))]))])), ("", .s("the empty key")), ("caf\u{E9}", .s("NFC key")),
        ])
    }

    static var profileTemplate: J {
        .o([
            ("preferredName", .s("Sam")), ("timeZone", .s("Europe/Paris")), ("locale", .s("fr-CA")), ("goals", .array([.s("run"), .s(#"read \"more\""#)])),
            ("values", .array([.s("health")])), ("attributes", .o([("age", .n("42")), ("pets", .array([.s("cat")]))])),
        ])
    }

    static var identityTemplate: J {
        .o([
            ("id", .s("i1")), ("statement", .s("a person who runs")), ("status", .s("committed")), ("supportingActions", .array([.s("walk after lunch")])),
            ("createdAt", .s("2024-02-29T23:59:59.999Z")),
        ])
    }

    static var contextTemplate: J {
        .o([
            ("userID", .s("user-1")), ("currentState", .s("valuesDiscovery")),
            ("conversationHistory", .array([
                message("Hello, coach", timestamp: .s("2026-11-22T10:00:00.123Z"), metadata: metadataTemplate),
                message(#"caf\u00e9 \uD83D\uDE00 \n\t\"\\\/ and more than eight bytes"#, timestamp: .n("1790000000123"), role: "assistant"),
                message("", timestamp: .n("-62167219200001"), role: "system", metadata: .object([])),
            ])),
            ("consolidatedSummary", .s("a summary")), ("userProfile", profileTemplate), ("identities", .array([identityTemplate])),
            ("metadata", metadataTemplate),
        ])
    }

    static func event(_ type: String, _ value: J?) -> J {
        var members: [(String, J)] = [("type", .s(type))]
        if let value { members.append(("value", value)) }
        return .o(members)
    }

    static var eventTemplates: [J] {
        [
            event("contextReplaced", contextTemplate),
            event("messagesAppended", .array([message("next", timestamp: .s("2026-11-22T10:00:01.000Z"), metadata: .o([("k", .n("1"))]))])),
            event("historyReplaced", .array([message("only", timestamp: .n("0"))])),
            event("historyTruncated", .n("3")),
            event("stateChanged", .s("reflection")),
            event("summaryChanged", .s("new summary")),
            event("summaryChanged", .null),
            event("summaryChanged", nil),
            event("profileChanged", profileTemplate),
            event("identitiesChanged", .array([identityTemplate])),
            event("metadataSet", metadataTemplate),
            event("metadataRemoved", .array([.s("a"), .s(#"\u00e9"#)])),
        ]
    }

    static var recordTemplate: J {
        .o([("seq", .n("7")), ("events", .array(eventTemplates)), ("crc", .s("0badc0de"))])
    }

    /// A record small enough to vary at every byte.
    static var smallRecordTemplate: J {
        .o([
            ("seq", .n("12")),
            ("events", .array([
                event("messagesAppended", .array([message(#"h\u00e9"#, timestamp: .s("2026-01-02T03:04:05.678Z"), metadata: .o([("n", .n("-2.5e3"))]))])),
                event("summaryChanged", .null),
            ])),
            ("crc", .s("0badc0de")),
        ])
    }

    static var snapshotTemplate: J {
        .o([("checksum", .s("0badc0de")), ("context", contextTemplate), ("format", .n("1")), ("revision", .s("r1")), ("sequence", .n("42"))])
    }

    // MARK: - Shapes: the reader's entry points beside JSONDecoder's

    /// One kind of document: the reader's entry point (as the existing tests and the fuzz
    /// target call it), JSONDecoder with the model's conformances, and a byte-exact fingerprint.
    struct Shape<Value: Equatable> {
        var name: String
        var readDirectly: (UnsafeBufferPointer<UInt8>) -> Value?
        var decodeWithDecoder: (Data) throws -> Value
        var fingerprint: (Value) -> Fingerprint
    }

    /// The decoder side of each shape is the one `JournalJSONReaderTests` defines, so the two
    /// suites check the reader against the same mirror of the synthesized `Decodable`s.
    typealias BodyMirror = JournalJSONReaderTests.BodyMirror
    typealias WireMirror = JournalJSONReaderTests.WireMirror

    typealias Declined = JournalJSONReader.Declined

    static var snapshot: Shape<JournalJSONReader.SnapshotBody> {
        let base = JournalJSONReaderTests.snapshot
        return Shape(
            name: "snapshot body", readDirectly: base.readDirectly, decodeWithDecoder: base.decodeWithDecoder,
            fingerprint: { v in Fingerprint { $0.body(v) } })
    }

    static var record: Shape<JournalRecord> {
        let base = JournalJSONReaderTests.record
        return Shape(
            name: "record", readDirectly: base.readDirectly, decodeWithDecoder: base.decodeWithDecoder,
            fingerprint: { v in Fingerprint { $0.record(v) } })
    }

    static var context: Shape<CoachContext> {
        Shape(name: "context", readDirectly: { JournalJSONReader.document($0) { r throws(Declined) in try r.context() } },
              decodeWithDecoder: { try JSONDecoder().decode(CoachContext.self, from: $0) }, fingerprint: { v in Fingerprint { $0.context(v) } })
    }

    static var event: Shape<JournalEvent> {
        Shape(name: "event", readDirectly: { JournalJSONReader.document($0) { r throws(Declined) in try r.event() } },
              decodeWithDecoder: { try JSONDecoder().decode(JournalEvent.self, from: $0) }, fingerprint: { v in Fingerprint { $0.event(v) } })
    }

    static var metadata: Shape<[String: JSONValue]> {
        Shape(name: "metadata", readDirectly: { JournalJSONReader.document($0) { r throws(Declined) in try r.jsonObject() } },
              decodeWithDecoder: { try JSONDecoder().decode([String: JSONValue].self, from: $0) }, fingerprint: { v in Fingerprint { $0.object(v) } })
    }

    static var message: Shape<ChatMessage> {
        Shape(name: "message", readDirectly: { JournalJSONReader.document($0) { r throws(Declined) in try r.message() } },
              decodeWithDecoder: { try JSONDecoder().decode(ChatMessage.self, from: $0) }, fingerprint: { v in Fingerprint { $0.message(v) } })
    }

    static var identity: Shape<Identity> {
        Shape(name: "identity", readDirectly: { JournalJSONReader.document($0) { r throws(Declined) in try r.identity() } },
              decodeWithDecoder: { try JSONDecoder().decode(Identity.self, from: $0) }, fingerprint: { v in Fingerprint { $0.identity(v) } })
    }

    static var profile: Shape<UserProfile> {
        Shape(name: "profile", readDirectly: { JournalJSONReader.document($0) { r throws(Declined) in try r.profile() } },
              decodeWithDecoder: { try JSONDecoder().decode(UserProfile.self, from: $0) }, fingerprint: { v in Fingerprint { $0.profile(v) } })
    }

    // MARK: - Fingerprints: values down to their bytes

    /// A decoded value written out with the exact UTF-8 bytes of every string, the bit pattern
    /// of every `Double` and date, and dictionaries in the order of their keys' bytes: equal
    /// fingerprints mean the store would write the same bytes back.
    struct Fingerprint: Equatable, CustomStringConvertible {
        var description = ""

        init(_ build: (inout Fingerprint) -> Void) { build(&self) }

        mutating func put(_ text: String) { description += text }
        mutating func string(_ s: String) { put("\"" + JournalJSONReaderAdversarialTests.show(Array(s.utf8), limit: .max) + "\"") }
        mutating func optional(_ s: String?) { if let s { string(s) } else { put("nil") } }
        mutating func strings(_ list: [String]) {
            put("[")
            for s in list { string(s); put(",") }
            put("]")
        }
        mutating func double(_ d: Double) { put("\(d)#\(String(d.bitPattern, radix: 16))") }
        mutating func date(_ d: Date) {
            put("@")
            double(d.timeIntervalSinceReferenceDate)
        }

        mutating func value(_ v: JSONValue) {
            switch v {
            case .string(let s): put("S"); string(s)
            case .number(let d): put("N"); double(d)
            case .bool(let b): put(b ? "T" : "F")
            case .null: put("Z")
            case .array(let items):
                put("[")
                for item in items { value(item); put(",") }
                put("]")
            case .object(let members): object(members)
            }
        }

        mutating func object(_ members: [String: JSONValue]) {
            put("{")
            for (key, v) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                string(key)
                put(":")
                value(v)
                put(",")
            }
            put("}")
        }

        mutating func message(_ m: ChatMessage) {
            put("M(")
            string(m.role.rawValue)
            string(m.content)
            date(m.timestamp)
            object(m.metadata)
            put(")")
        }

        mutating func identity(_ i: Identity) {
            put("I(")
            string(i.id)
            string(i.statement)
            string(i.status.rawValue)
            strings(i.supportingActions)
            date(i.createdAt)
            put(")")
        }

        mutating func profile(_ p: UserProfile) {
            put("P(")
            optional(p.preferredName)
            optional(p.timeZone)
            optional(p.locale)
            strings(p.goals)
            strings(p.values)
            object(p.attributes)
            put(")")
        }

        mutating func context(_ c: CoachContext) {
            put("C(")
            string(c.userID)
            string(c.currentState.rawValue)
            put("[")
            for m in c.conversationHistory { message(m) }
            put("]")
            optional(c.consolidatedSummary)
            profile(c.userProfile)
            put("[")
            for i in c.identities { identity(i) }
            put("]")
            object(c.metadata)
            put(")")
        }

        mutating func event(_ e: JournalEvent) {
            put("E(" + e.typeName + ":")
            switch e {
            case .contextReplaced(let c): context(c)
            case .messagesAppended(let list), .historyReplaced(let list): for m in list { message(m) }
            case .historyTruncated(let count): put("\(count)")
            case .stateChanged(let state): string(state.rawValue)
            case .summaryChanged(let summary): optional(summary)
            case .profileChanged(let p): profile(p)
            case .identitiesChanged(let list): for i in list { identity(i) }
            case .metadataSet(let values): object(values)
            case .metadataRemoved(let keys): strings(keys)
            }
            put(")")
        }

        mutating func record(_ r: JournalRecord) {
            put("R(\(r.sequence):")
            for e in r.events { event(e) }
            put(")")
        }

        mutating func body(_ b: JournalJSONReader.SnapshotBody) {
            put("B(\(b.format),\(b.sequence),")
            optional(b.revision)
            context(b.context)
            put(")")
        }

        mutating func snapshotFile(_ s: SnapshotFile) {
            put("F(\(s.sequence),")
            optional(s.revision)
            context(s.context)
            put(")")
        }
    }

    /// `bytes` for a message: printable ASCII as it is, anything else as ‹XX›.
    static func show(_ bytes: [UInt8], limit: Int = 400) -> String {
        var out = ""
        for byte in bytes.prefix(limit) {
            if byte >= 0x20, byte < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "‹" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true) + "›"
            }
        }
        return bytes.count > limit ? out + "… (\(bytes.count) bytes)" : out
    }

    // MARK: - The check

    /// What the reader makes of `bytes` in `shape`.
    static func direct<V>(_ shape: Shape<V>, _ bytes: [UInt8]) -> V? { bytes.withUnsafeBufferPointer(shape.readDirectly) }

    enum Expectation {
        /// Only the contract: declined, or equal to JSONDecoder down to the bytes.
        case contract
        /// The contract, and the reader must read it (JSONDecoder too): keeps a family of cases
        /// from passing by declining everything.
        case reads
        /// The contract, and JSONDecoder must throw (so the reader must decline).
        case decoderThrows
    }

    /// Checks the contract on `bytes`; returns whether the reader read them.
    @discardableResult
    static func check<V>(
        _ shape: Shape<V>, _ bytes: [UInt8], _ expectation: Expectation = .contract, _ note: @autoclosure () -> String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let direct = bytes.withUnsafeBufferPointer(shape.readDirectly)
        guard direct != nil || expectation != .contract else { return false }
        let decoded = Result<V, any Error> { try shape.decodeWithDecoder(Data(bytes)) }
        let context = "\(shape.name)\(note().isEmpty ? "" : " (\(note()))"): \(show(bytes))"
        switch (direct, decoded) {
        case (let direct?, .success(let value)):
            let (a, b) = (shape.fingerprint(direct), shape.fingerprint(value))
            #expect(direct == value, "the reader's value is not == JSONDecoder's for \(context)", sourceLocation: sourceLocation)
            #expect(a == b, "bytes differ from JSONDecoder's for \(context)\nreader:      \(a.description.prefix(2_000))\nJSONDecoder: \(b.description.prefix(2_000))", sourceLocation: sourceLocation)
        case (_?, .failure(let error)):
            Issue.record("the reader returned a value where JSONDecoder throws (\(error)) for \(context)", sourceLocation: sourceLocation)
        case (nil, _):
            break
        }
        switch (expectation, decoded) {
        case (.reads, .failure(let error)): Issue.record("JSONDecoder throws \(error) for \(context)", sourceLocation: sourceLocation)
        case (.reads, .success): #expect(direct != nil, "declined: \(context)", sourceLocation: sourceLocation)
        case (.decoderThrows, .success): Issue.record("JSONDecoder reads \(context)", sourceLocation: sourceLocation)
        default: break
        }
        return direct != nil
    }

    // MARK: - Pieces

    /// Exactly half the least subnormal (2^-1075) in full: strtod rounds it to even, zero, so
    /// JSONDecoder refuses it as an underflow; one more digit at its end rounds it up.
    static let halfLeastSubnormal = "0." + String(repeating: "0", count: 323) + "24703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125"

    /// Numbers JSON allows, awkward ones first.
    static let validNumbers: [String] = [
        "0", "-0", "0.0", "-0.0", "0e0", "-0e-0", "0E+400", "0.000e-400", "-0.0e99999999999999999999", "0e-99999999999999999999",
        "1", "-1", "1.0", "1e0", "0.1e1", "10e-1", "1E2", "1e+2", "1e-2", "-1.5E-7", "1.5", "-2.25", "0.1", "3.141592653589793238462643383279",
        "1.7976931348623157e308", "1.7976931348623158e308", "-1.7976931348623157e308", "4.9e-324", "5e-324", "-4.9e-324", "3e-324",
        "2.4703282292062328e-324", "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308", "2.225073858507201e-308",
        "999999999999999", "-999999999999999", "1000000000000000", "-1000000000000000", "9007199254740991", "9007199254740992", "9007199254740993",
        "-9007199254740993", "9007199254740993.000000000000000000001", "9007199254740995", "18446744073709551615", "18446744073709551616",
        "-9223372036854775808", "9223372036854775807", "123456789012345678901234567890", "12345678901234567890123456789012345678901234567890",
        "1" + String(repeating: "0", count: 308), "0." + String(repeating: "0", count: 320) + "5", "1." + String(repeating: "9", count: 400),
        "1e-0000000000000000000000000001", "1E+0000000000000000000000000308", "0.00000000000000000000000000000000000000000001e-270",
        halfLeastSubnormal + "1", "-" + halfLeastSubnormal + "1", "9007199254740993." + String(repeating: "0", count: 1_000) + "1",
        "9007199254740992." + String(repeating: "9", count: 3_000), "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203125" + String(repeating: "0", count: 2_000) + "1",
    ]

    /// Numbers JSONDecoder must refuse (or that are not JSON at all), where a number is expected.
    static let invalidNumbers: [String] = [
        "1E400", "-1E400", "1e309", "1.7976931348623159e308", "1" + String(repeating: "0", count: 309), "1e-400", "-1e-400", "2e-324",
        "2.4703282292062327e-324", "0." + String(repeating: "0", count: 400) + "1", "1e99999999999999999999", "1e-99999999999999999999",
        "0.00000000000000000000000000000000000000000001e-280", halfLeastSubnormal, "-" + halfLeastSubnormal, "+1", ".5", "-.5", "5.", "5.e3", "-", "01", "-01", "00", "-00", "1e", "1e+", "1e-", "1.5e", "0x10", "1_000", "Infinity", "-Infinity",
        "NaN", "nan", "inf", "1.2.3", "1e5e5", "--1", "-+1", "1e+-5", "1 0", "1..0", "١", "１", "0.", "-0.",
    ]

    /// Integers at the edges of `Int64` and `UInt64`, in every spelling.
    static let integerSpellings: [String] = [
        "0", "-0", "1", "-1", "00", "01", "+1", "1.0", "1e0", "1E2", "10e-1", "0.0", "-0.0", "1.5", "0.1e1", ".5", "5.",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "99999999999999999999999", "-99999999999999999999999", "9223372036854775807.0", "9.223372036854775807e18",
        "18446744073709551615.0", "1.8446744073709551615e19", "1e19", "1e20", "9007199254740993", "9007199254740993.0", "2251799813685248",
        "2251799813685249", "-2251799813685248", "-2251799813685249", "\"1\"", "true", "null", "[]", "{}",
    ]

    /// String contents (between the quotes) JSON allows.
    static let validStrings: [[UInt8]] = [
        "", "plain", #"\""#, #"\\"#, #"\/"#, #"\b\f\n\r\t"#, #"\u0000"#, #"a\u0000b"#, #"\u001f\u001F"#, #"\u007f"#, #"\u0080"#, #"\u00e9"#, #"\u00E9"#,
        #"e\u0301"#, "e\u{301}", "\u{E9}", #"\u212A"#, "\u{212A}", "K", #"\u212B"#, "\u{C5}", "A\u{30A}", #"\u2028\u2029"#, #"\uFEFF"#, "\u{FEFF}",
        #"\uFFFF"#, #"\uFFFE"#, #"\uD83D\uDE00"#, #"\ud83d\ude00"#, #"\uDBFF\uDFFF"#, #"\uD800\uDC00"#, "\u{1F600}", "\u{1F9D8}\u{200D}\u{2640}\u{FE0F}",
        "\u{65E5}\u{672C}", "\u{7F}", "\u{10FFFF}", #"eight bytes\u00e9eight bytes\neight bytes"#, "a\\u0062c", #"\\u0041"#, #"\\\""#,
        "2026-11-22T10:00:00.123Z", "contextReplaced", "stateChanged", "userID",
    ].map { Array($0.utf8) } + [
        [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
    ]

    /// String contents JSONDecoder must refuse when it decodes them: bad escapes, lone
    /// surrogates, raw control bytes, invalid UTF-8.
    static let invalidStrings: [[UInt8]] = [
        #"\uD83D"#, #"\uDE00"#, #"\uD83Dx"#, #"\uD83D\u0041"#, #"\uD83D\uD83D"#, #"\uDE00\uD83D"#, #"\uD83D\\uDE00"#, #"\uD83D\UDE00"#,
        #"\x"#, #"\U0041"#, #"\u12"#, #"\u12G4"#, #"\u+123"#, #"\u-123"#, #"\u 123"#, #"\'"#, #"\a"#, #"\0"#, #"\ "#, "\\\u{E9}",
    ].map { Array($0.utf8) } + [
        [0x00], [0x0A], [0x0D], [0x09], [0x1F], [0x41, 0x0A, 0x41], [0xFF], [0xFE], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
        [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xBF], [0xC3],
        [0xF0, 0x9F, 0x98], [0xC3, 0x41],
    ]

    /// Byte sequences that are never valid UTF-8 wherever they stand.
    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0xC0, 0x80], [0xC1, 0x81], [0xED, 0xA0, 0x80], [0xED, 0xB0, 0x80], [0xE2, 0x82], [0x80], [0xBF], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3], [0xF0, 0x9F, 0x98], [0xE0, 0x9F, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],
    ]

    static let validLiterals = ["true", "false", "null"]
    static let invalidLiterals = ["tru", "nul", "True", "NULL", "nulll", "t", "f", "n", "fals", "truee", "none", "undefined"]

    /// Whitespace JSON allows, and bytes that look like it but are not JSON whitespace.
    static let validSpaces: [[UInt8]] = [[0x20], [0x09], [0x0A], [0x0D], [0x0D, 0x0A], [0x20, 0x09, 0x0A, 0x0D, 0x20]]
    static let invalidSpaces: [[UInt8]] = [[0x0C], [0x0B], [0x00], [0x1C], [0xC2, 0xA0], [0xC2, 0x85], [0xE2, 0x80, 0xA8], [0xEF, 0xBB, 0xBF], [0x2F, 0x2F]]

    /// A key for an unknown member or a metadata key: plain, empty, escaped, non-ASCII.
    static let keyPieces: [[UInt8]] = [
        "zz", "", "crc", "checksum", #"\u0075serID"#, #"user\u0049D"#, "user\u{130}D", #"\/"#, "caf\u{E9}", "cafe\u{301}", #"caf\u00e9"#, #"cafe\u0301"#,
        "\u{212A}", "K", #"\u212A"#, #"\u0000"#, "\u{1F600}", #"\uD83D\uDE00"#, " ", "type", "value", "seq", "events", "USERID", "userID ",
    ].map { Array($0.utf8) }

    /// Keys equal as Swift strings but not as bytes (canonical equivalence, escapes).
    static let equivalentKeys: [[[UInt8]]] = [
        ["caf\u{E9}", "cafe\u{301}", #"caf\u00e9"#, #"cafe\u0301"#], ["\u{212A}", "K", #"\u212A"#, #"\u004B"#], ["\u{212B}", "\u{C5}", "A\u{30A}", #"\u00c5"#],
        ["a", #"\u0061"#], ["", #"\u0000"#], ["\u{1E0A}\u{323}", "\u{1E0C}\u{307}", "D\u{323}\u{307}", "D\u{307}\u{323}"], [#"\/"#, "/"],
    ].map { $0.map { Array($0.utf8) } }

    // MARK: - What the store writes, and the templates, are read

    @Test("the templates, as written by hand and by the store's writers, are read and agree with JSONDecoder")
    func templates() throws {
        Self.check(Self.record, Self.recordTemplate.encoded(), .reads)
        Self.check(Self.record, Self.smallRecordTemplate.encoded(), .reads)
        Self.check(Self.snapshot, Self.snapshotTemplate.encoded(), .reads)
        Self.check(Self.context, Self.contextTemplate.encoded(), .reads)
        Self.check(Self.metadata, Self.metadataTemplate.encoded(), .reads)
        Self.check(Self.profile, Self.profileTemplate.encoded(), .reads)
        Self.check(Self.identity, Self.identityTemplate.encoded(), .reads)
        for event in Self.eventTemplates { Self.check(Self.event, event.encoded(), .reads) }

        // The same values written back by the store, then read again.
        let body = try #require(Self.direct(Self.snapshot, Self.snapshotTemplate.encoded()))
        let file = try SnapshotFile(context: body.context, sequence: body.sequence, revision: body.revision).encoded()
        Self.check(Self.snapshot, file, .reads)
        let record = try #require(Self.direct(Self.record, Self.recordTemplate.encoded()))
        Self.check(Self.record, Array(try record.encodedLine().dropLast()), .reads)
        Self.check(Self.context, Array(try JSONCoding.prettyEncoder().encode(body.context)), .reads)
    }

    // MARK: - Numbers

    /// `value` at every place of a context where metadata holds a number.
    static func numberPlaces(_ value: J) -> [(String, J)] {
        [
            ("metadata value", .o([("userID", .s("u")), ("metadata", .o([("k", value)]))])),
            ("metadata array", .o([("userID", .s("u")), ("metadata", .o([("k", .array([.n("1"), value, .s("x")]))]))])),
            ("nested metadata", .o([("userID", .s("u")), ("metadata", .o([("a", .o([("b", .o([("c", value)]))]))]))])),
            ("message metadata", .o([("userID", .s("u")), ("conversationHistory", .array([message("c", timestamp: .n("0"), metadata: .o([("k", value)]))]))])),
            ("profile attributes", .o([("userID", .s("u")), ("userProfile", .o([("attributes", .o([("k", value)]))]))])),
            ("unknown member", .o([("userID", .s("u")), ("zz", value)])),
            ("unknown member, nested", .o([("userID", .s("u")), ("zz", .array([.o([("a", value)])]))])),
        ]
    }

    @Test("numbers in metadata read as JSONDecoder's Double, bit for bit; refused ones decline; skipped ones are skipped alike")
    func numbers() {
        var read = 0
        for number in Self.validNumbers {
            for (place, doc) in Self.numberPlaces(.n(number)) {
                if Self.check(Self.context, doc.encoded(), .contract, place) { read += 1 }
            }
            Self.check(Self.metadata, J.o([("k", .n(number))]).encoded(), .reads)
            Self.check(Self.event, Self.event("metadataSet", .o([("k", .n(number))])).encoded(), .contract)
            // -0 stays -0.0, bit for bit, as strtod reads it.
            if number == "-0" || number == "-0.0" {
                let value = Self.direct(Self.metadata, J.o([("k", .n(number))]).encoded())
                #expect(value?["k"].map { if case .number(let d) = $0 { d.sign == .minus } else { false } } == true)
            }
        }
        #expect(read > Self.validNumbers.count * 5)
        for number in Self.invalidNumbers {
            Self.check(Self.metadata, J.o([("k", .n(number))]).encoded(), .decoderThrows)
            for (place, doc) in Self.numberPlaces(.n(number)) { Self.check(Self.context, doc.encoded(), .contract, place) }
        }
    }

    @Test("integer fields (seq, sequence, format, historyTruncated, timestamps as milliseconds) at the edges of their types, in every spelling")
    func integers() {
        for spelling in Self.integerSpellings {
            let n = J.n(spelling)
            Self.check(Self.record, J.o([("seq", n), ("events", .array([]))]).encoded())
            Self.check(Self.snapshot, J.o([("context", .o([("userID", .s("u"))])), ("format", .n("1")), ("sequence", n)]).encoded())
            Self.check(Self.snapshot, J.o([("context", .o([("userID", .s("u"))])), ("format", n), ("sequence", .n("1"))]).encoded())
            Self.check(Self.event, Self.event("historyTruncated", n).encoded())
            Self.check(Self.message, Self.message("c", timestamp: n).encoded())
            Self.check(Self.identity, J.o([("id", .s("i")), ("statement", .s("s")), ("createdAt", n)]).encoded())
        }
        // Plain in-range integers are read.
        Self.check(Self.record, Array(#"{"seq":18446744073709551615,"events":[]}"#.utf8), .reads)
        Self.check(Self.snapshot, Array(#"{"context":{"userID":"u"},"format":-9223372036854775808,"sequence":0}"#.utf8), .reads)
        Self.check(Self.event, Array(#"{"type":"historyTruncated","value":9223372036854775807}"#.utf8), .reads)
        Self.check(Self.message, Array(#"{"role":"r","content":"c","timestamp":-9223372036854775808}"#.utf8), .reads)
        Self.check(Self.message, Array(#"{"role":"r","content":"c","timestamp":9223372036854775807}"#.utf8), .reads)
        // Out of range or negative where JSONDecoder refuses.
        Self.check(Self.record, Array(#"{"seq":-1,"events":[]}"#.utf8), .decoderThrows)
        Self.check(Self.record, Array(#"{"seq":18446744073709551616,"events":[]}"#.utf8), .decoderThrows)
        Self.check(Self.event, Array(#"{"type":"historyTruncated","value":-1}"#.utf8), .decoderThrows)
        Self.check(Self.message, Array(#"{"role":"r","content":"c","timestamp":9223372036854775808}"#.utf8), .decoderThrows)
    }

    @Test("timestamps: every millisecond count round-trips as JSONDecoder reads it, also near the clamp, as text or as a number")
    func timestamps() {
        var random = SeededRandom(seed: 0xD47E)
        let limit: Int64 = 2_251_799_813_685_248
        var counts: [Int64] = [0, 1, -1, 999, -999, 1_000, limit, -limit, limit + 1, -limit - 1, limit - 1, -limit + 1, .max, .min, .max - 1, .min + 1]
        for _ in 0..<600 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: counts.append(Int64.random(in: -limit...limit, using: &random))
            case 1: counts.append(limit - Int64.random(in: 0...100_000, using: &random))
            case 2: counts.append(-limit + Int64.random(in: 0...100_000, using: &random))
            default: counts.append(Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &random))
            }
        }
        for ms in counts {
            Self.check(Self.message, Self.message("c", timestamp: .n(String(ms))).encoded(), .reads)
            Self.check(Self.identity, J.o([("id", .s("i")), ("statement", .s("s")), ("createdAt", .n(String(ms)))]).encoded(), .reads)
            if ms.magnitude <= limit.magnitude, let text = Timestamp.text(milliseconds: ms) {
                Self.check(Self.message, Self.message("c", timestamp: .s(text)).encoded(), .reads)
            }
        }
        for text in ["0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "2000-02-29T12:00:00.000Z", "1900-02-28T00:00:00.000Z", "1970-01-01T00:00:00.000Z",
                     "2026-11-22T10:00:00.123Z"] {
            Self.check(Self.message, Self.message("c", timestamp: .s(text)).encoded(), .reads)
        }
        for text in ["1900-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-01-01T24:00:00.000Z",
                     "2026-01-01T00:60:00.000Z", "2026-01-01T00:00:60.000Z", "2026-01-01T00:00:00.000z", "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:00.0000Z",
                     "+2026-01-01T00:00:00.000Z", "-001-01-01T00:00:00.000Z", "2026-01-01T00:00:00,000Z", "２026-01-01T00:00:00.000Z", #"2026\u002d01-01T00:00:00.000Z"#,
                     #"2026-01-01T00:00:00.000\u005a"#, "", " 2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z "] {
            Self.check(Self.message, Self.message("c", timestamp: .s(text)).encoded())
            Self.check(Self.identity, J.o([("id", .s("i")), ("statement", .s("s")), ("createdAt", .s(text))]).encoded())
        }
        for bad in Self.invalidUTF8 {
            for at in [0, 4, 10, 23] {
                var text = Array("2026-01-01T00:00:00.000Z".utf8)
                text.replaceSubrange(at..<(at + 1), with: bad)
                Self.check(Self.message, Self.message("c", timestamp: .string(text)).encoded(), .decoderThrows)
            }
        }
    }

    // MARK: - Strings

    /// The paths of every string leaf of `doc` that is not a member's key.
    static func stringPaths(_ doc: J) -> [[Int]] {
        doc.paths().filter { if case .string = doc.node(at: $0[...]) { true } else { false } }
    }

    @Test("every string place of a context and a record holds every escape, surrogate pair and UTF-8 form exactly as JSONDecoder decodes it")
    func stringsEverywhere() {
        let context = Self.contextTemplate
        var read = 0
        for path in Self.stringPaths(context) {
            for piece in Self.validStrings where Self.check(Self.context, context.replacing(at: path, with: .string(piece)).encoded(), .contract, "at \(path)") {
                read += 1
            }
            for piece in Self.invalidStrings {
                Self.check(Self.context, context.replacing(at: path, with: .string(piece)).encoded(), .contract, "at \(path)")
            }
        }
        #expect(read > Self.stringPaths(context).count * Self.validStrings.count / 2, "read \(read)")
        let record = Self.smallRecordTemplate
        for path in Self.stringPaths(record) {
            for piece in Self.validStrings + Self.invalidStrings { Self.check(Self.record, record.replacing(at: path, with: .string(piece)).encoded()) }
        }
        // In metadata, every piece is read (or refused, for the invalid ones), as a value and as a key.
        for piece in Self.validStrings {
            Self.check(Self.metadata, J.object([.init(key: piece, value: .string(piece))]).encoded(), .reads)
        }
        for piece in Self.invalidStrings {
            Self.check(Self.metadata, J.object([.init(key: Array("k".utf8), value: .string(piece))]).encoded(), .decoderThrows)
            Self.check(Self.metadata, J.object([.init(key: piece, value: .n("1"))]).encoded(), .decoderThrows)
        }
    }

    @Test("invalid UTF-8 at every position of a string: in model strings, metadata keys and values, event types, timestamps and skipped values")
    func invalidUTF8AtEveryPosition() {
        // Longer than two words, with multi-byte characters and an escape, so that every path
        // of the scanner (words, bytes, after an escape) meets the bad bytes.
        let base = Array("abcdefgh\u{E9}ijklmnop\u{1F600}qrstuvwx".utf8) + Array(#"\n"#.utf8) + Array("yz0123456789".utf8)
        for at in 0...base.count {
            for bad in Self.invalidUTF8 {
                var text = base
                text.insert(contentsOf: bad, at: at)
                let s = J.string(text)
                Self.check(Self.context, J.o([("userID", s)]).encoded(), .contract, "userID")
                Self.check(Self.message, Self.message("c", timestamp: .n("0")).replacing(at: [1], with: s).encoded(), .contract, "content")
                Self.check(Self.metadata, J.o([("k", s)]).encoded(), .decoderThrows)
                Self.check(Self.metadata, J.object([.init(key: text, value: .n("1"))]).encoded(), .decoderThrows)
                Self.check(Self.context, J.o([("userID", .s("u")), ("zz", .array([s]))]).encoded(), .contract, "skipped value")
                Self.check(Self.context, J.o([("userID", .s("u")), ("zz", .object([.init(key: text, value: .null)]))]).encoded(), .contract, "skipped key")
                Self.check(Self.context, J.object([.init(key: Array("userID".utf8), value: .s("u")), .init(key: text, value: .null)]).encoded(), .contract, "unknown model key")
                Self.check(Self.event, J.o([("type", s), ("value", .s("x"))]).encoded(), .contract, "type")
                Self.check(Self.snapshot, J.o([("context", .o([("userID", .s("u"))])), ("format", .n("1")), ("revision", s), ("sequence", .n("1"))]).encoded(), .contract, "revision")
            }
        }
        // A valid multi-byte character cut or corrupted at each of its bytes.
        for scalar in ["\u{E9}", "\u{20AC}", "\u{1F600}"] {
            let bytes = Array(scalar.utf8)
            for i in bytes.indices {
                for replacement: UInt8 in [0x41, 0x22, 0x5C, 0x00, 0xFF, 0xC3] {
                    var text = Array("eight bytes ".utf8) + bytes + Array(" eight bytes".utf8)
                    text[12 + i] = replacement
                    Self.check(Self.metadata, J.o([("k", .string(text))]).encoded())
                    Self.check(Self.context, J.o([("userID", .string(text))]).encoded())
                }
                let cut = Array("eight bytes ".utf8) + bytes[..<i]
                Self.check(Self.metadata, J.o([("k", .string(cut))]).encoded(), i == 0 ? .reads : .decoderThrows)
            }
        }
    }

    @Test("strings longer than 64 KB: plain, multi-byte, escaped at word edges, and with a bad byte or a control byte at the very end")
    func longStrings() {
        let count = 70_001
        let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: count)
        let multiByte = Array(String(repeating: "\u{E9}\u{1F600}", count: count / 6).utf8)
        var escapedAtEdges: [UInt8] = []
        for i in 0..<(count / 9) { escapedAtEdges += Array((i % 2 == 0 ? #"abcdefg\n"# : #"abcdef\u00e9"#).utf8) }
        let surrogates = Array(String(repeating: #"\uD83D\uDE00"#, count: count / 12).utf8)
        for (name, text) in [("ascii", ascii), ("multi-byte", multiByte), ("escapes at word edges", escapedAtEdges), ("surrogate pairs", surrogates)] {
            let s = J.string(text)
            Self.check(Self.context, J.o([("userID", s), ("metadata", .object([.init(key: text, value: s)]))]).encoded(), .reads, name)
            Self.check(Self.message, Self.message("c", timestamp: .n("0")).replacing(at: [1], with: s).encoded(), .reads, name)
            Self.check(Self.context, J.o([("userID", .s("u")), ("zz", s)]).encoded(), .reads, name + ", skipped")
            for tail: [UInt8] in [[0xFF], [0xC3], [0x0A], [0x00], [0x1F], Array(#"\uD83D"#.utf8), Array(#"\q"#.utf8)] {
                Self.check(Self.context, J.o([("userID", .string(text + tail))]).encoded(), .decoderThrows, name)
                Self.check(Self.context, J.o([("userID", .string(tail + text))]).encoded(), .decoderThrows, name)
                Self.check(Self.context, J.o([("userID", .s("u")), ("zz", .string(text + tail))]).encoded(), .contract, name + ", skipped")
            }
        }
        // An unterminated long string.
        Self.check(Self.context, Array(#"{"userID":""#.utf8) + ascii, .decoderThrows)
        Self.check(Self.context, Array(#"{"userID":""#.utf8) + escapedAtEdges, .decoderThrows)
    }

    // MARK: - Keys

    @Test("model keys must match byte for byte: escaped, canonically equivalent, case-changed and padded spellings of every key")
    func modelKeys() {
        for (isRecord, doc) in [(false, Self.contextTemplate), (true, Self.smallRecordTemplate)] {
            for path in doc.objectPaths {
                guard let members = doc.node(at: path[...]).members else { continue }
                for i in members.indices {
                    let key = members[i].key
                    guard let first = key.first, let last = key.last else { continue }
                    let name = String(decoding: key, as: UTF8.self)
                    let spellings: [[UInt8]] = [
                        Array(("\\u00" + String(first, radix: 16)).utf8) + key.dropFirst(), Array(("\\u00" + String(first, radix: 16, uppercase: true)).utf8) + key.dropFirst(),
                        key.dropLast() + Array(("\\u00" + String(last, radix: 16)).utf8), key + [0x20], [0x20] + key, Array(name.uppercased().utf8),
                        key + Array("\u{301}".utf8), key + Array(#"\u0000"#.utf8), Array(name.replacingOccurrences(of: "K", with: "\u{212A}").utf8),
                        Array(name.replacingOccurrences(of: "I", with: "\u{130}").utf8), key + [0xFF], key + [0x7F],
                    ]
                    for spelling in spellings {
                        let variants = [
                            ("as", doc.changingMembers(at: path) { $0[i].key = spelling }),
                            ("after", doc.changingMembers(at: path) { $0.insert(.init(key: spelling, value: $0[i].value), at: i + 1) }),
                            ("before, null,", doc.changingMembers(at: path) { $0.insert(.init(key: spelling, value: .null), at: i) }),
                            // JSONDecoder keeps the first of two equal keys: a reader that skipped
                            // the escaped spelling as unknown would return the second value.
                            ("before, other value,", doc.changingMembers(at: path) { members in
                                let other: J = if case .string = members[i].value { .s("the first spelling") } else { members[i].value }
                                members.insert(.init(key: spelling, value: other), at: i)
                            }),
                        ]
                        for (relation, variant) in variants {
                            let note = "\(Self.show(spelling)) \(relation) \(name) at \(path)"
                            if isRecord { Self.check(Self.record, variant.encoded(), .contract, note) } else { Self.check(Self.context, variant.encoded(), .contract, note) }
                        }
                    }
                }
            }
        }
        // The record's, the snapshot's and the event's keys, escaped.
        for spelling in [#"\u0073eq"#, #"se\u0071"#, #"\u0065vents"#, #"\u0074ype"#, #"valu\u0065"#, #"\u0063ontext"#, #"\u0066ormat"#, #"sequenc\u0065"#, #"r\u0065vision"#] {
            let plain = "\"" + Self.unescape(spelling) + "\""
            let record = #"{"seq":1,"events":[{"type":"summaryChanged","value":"x"}]}"#
            Self.check(Self.record, Array(record.replacingOccurrences(of: plain, with: "\"" + spelling + "\"").utf8))
            let snapshot = #"{"context":{"userID":"u"},"format":1,"revision":"r","sequence":2}"#
            Self.check(Self.snapshot, Array(snapshot.replacingOccurrences(of: plain, with: "\"" + spelling + "\"").utf8))
        }
    }

    /// `\u00XX` escapes of ASCII letters in `text` undone (for the key spellings above).
    static func unescape(_ text: String) -> String {
        var out = text
        while let range = out.range(of: #"\u00"#) {
            let hex = out[range.upperBound...].prefix(2)
            out.replaceSubrange(range.lowerBound..<out.index(range.upperBound, offsetBy: 2), with: String(UnicodeScalar(UInt8(hex, radix: 16)!)))
        }
        return out
    }

    @Test("metadata keys: escaped, canonically equivalent and empty keys keep JSONDecoder's exact bytes, and equal keys decline")
    func metadataKeys() {
        for group in Self.equivalentKeys {
            for key in group {
                // Alone, a key reads with its own bytes (JSONDecoder's), whatever its spelling.
                Self.check(Self.metadata, J.object([.init(key: key, value: .n("1"))]).encoded(), .reads)
                Self.check(Self.context, J.o([("userID", .s("u")), ("metadata", .object([.init(key: key, value: .n("1"))]))]).encoded(), .reads)
                Self.check(Self.event, J.o([("type", .s("metadataRemoved")), ("value", .array([.string(key)]))]).encoded(), .reads)
                for other in group {
                    // Two keys equal as Swift strings: JSONDecoder keeps the first; the reader must decline or keep the same bytes.
                    let pair = J.object([.init(key: key, value: .n("1")), .init(key: other, value: .n("2"))])
                    Self.check(Self.metadata, pair.encoded(), .contract, "\(Self.show(key)) then \(Self.show(other))")
                    Self.check(Self.profile, J.o([("attributes", pair)]).encoded())
                    Self.check(Self.message, Self.message("c", timestamp: .n("1"), metadata: pair).encoded())
                    Self.check(Self.metadata, J.o([("outer", .array([pair]))]).encoded())
                }
            }
        }
        for key in Self.keyPieces {
            Self.check(Self.metadata, J.object([.init(key: key, value: .s("v")), .init(key: Array("other".utf8), value: .null)]).encoded(), .reads)
        }
        // Keys that differ only past a NUL, or by a NUL, are different keys.
        Self.check(Self.metadata, Array(#"{"a":1,"a\u0000":2,"\u0000a":3,"":4,"\u0000":5}"#.utf8), .reads)
    }

    // MARK: - null, unknown members, duplicate members, member order

    @Test("null at every place of every template")
    func nullEverywhere() {
        for path in Self.recordTemplate.paths().dropFirst() {
            Self.check(Self.record, Self.recordTemplate.replacing(at: path, with: .null).encoded(), .contract, "null at \(path)")
        }
        for path in Self.snapshotTemplate.paths().dropFirst() {
            Self.check(Self.snapshot, Self.snapshotTemplate.replacing(at: path, with: .null).encoded(), .contract, "null at \(path)")
        }
        // Where the conformances use decodeIfPresent, null is read as missing.
        let optional = [
            #"{"userID":"u","currentState":null,"conversationHistory":null,"consolidatedSummary":null,"userProfile":null,"identities":null,"metadata":null}"#,
            #"{"userID":"u","userProfile":{"preferredName":null,"timeZone":null,"locale":null,"goals":null,"values":null,"attributes":null}}"#,
            #"{"userID":"u","identities":[{"id":"i","statement":"s","createdAt":0,"status":null,"supportingActions":null}]}"#,
            #"{"userID":"u","conversationHistory":[{"role":"r","content":"c","timestamp":0,"metadata":null}]}"#,
        ]
        for json in optional { Self.check(Self.context, Array(json.utf8), .reads) }
        Self.check(Self.snapshot, Array(#"{"context":{"userID":"u"},"format":1,"revision":null,"sequence":1}"#.utf8), .reads)
        Self.check(Self.event, Array(#"{"type":"summaryChanged","value":null}"#.utf8), .reads)
        Self.check(Self.event, Array(#"{"value":null,"type":"summaryChanged"}"#.utf8), .reads)
        for required in [#"{"userID":null}"#, #"{"userID":"u","currentState":"x","conversationHistory":[null]}"#, #"{"userID":"u","identities":[{"id":null,"statement":"s","createdAt":0}]}"#] {
            Self.check(Self.context, Array(required.utf8), .decoderThrows)
        }
    }

    /// Values for unknown members: what the reader skips, and what it declines to skip.
    static var unknownValues: [J] {
        [
            .n("1"), .n("-0"), .null, .n("true"), .n("1e400"), .s(""), .s(#"\uD800"#), .s(#"\q"#), .array([]), .object([]),
            .array([.o([("a", .array([.n("1"), .n("2.5"), .n("-3e-2"), .n("true"), .n("false"), .null, .s("x"), .object([])]))])]),
            .o([("userID", .s("not this one")), ("seq", .n("99")), ("type", .s("stateChanged"))]), .n("01"), .n("tru"), .raw([]),
            .array([identityTemplate, profileTemplate]), smallRecordTemplate,
        ]
    }

    @Test("unknown members at every level and every position, and the crc member anywhere")
    func unknownMembers() {
        for (index, doc) in [Self.smallRecordTemplate, Self.snapshotTemplate].enumerated() {
            for path in doc.objectPaths {
                let members = doc.node(at: path[...]).members!
                let count = members.count
                for position in Set([0, count / 2, count]) {
                    for (v, value) in Self.unknownValues.enumerated() {
                        for key in [Array("zz".utf8), Array("crc".utf8), []] {
                            let variant = doc.changingMembers(at: path) { $0.insert(.init(key: key, value: value), at: position) }
                            // Valid in metadata too, and not a key the object has: both must read it.
                            let expectation: Expectation = v < 4 && !members.contains { $0.key == key } ? .reads : .contract
                            if index == 0 {
                                Self.check(Self.record, variant.encoded(), expectation, "\(Self.show(key)) at \(path)/\(position)")
                            } else {
                                Self.check(Self.snapshot, variant.encoded(), expectation, "\(Self.show(key)) at \(path)/\(position)")
                            }
                        }
                    }
                }
            }
        }
        // crc first, in the middle, last, twice, as a number.
        for json in [#"{"crc":"0badc0de","seq":1,"events":[]}"#, #"{"seq":1,"crc":"0badc0de","events":[]}"#, #"{"seq":1,"events":[],"crc":"x","crc":"y"}"#,
                     #"{"seq":1,"events":[],"crc":12}"#, #"{"seq":1,"events":[],"crc":null}"#] {
            Self.check(Self.record, Array(json.utf8), .reads)
        }
    }

    @Test("duplicate members at every level: same value, other value, null, before and after")
    func duplicateMembers() {
        for (index, doc) in [Self.smallRecordTemplate, Self.snapshotTemplate].enumerated() {
            for path in doc.objectPaths {
                let members = doc.node(at: path[...]).members!
                for i in members.indices {
                    let variants = [
                        doc.changingMembers(at: path) { $0.insert($0[i], at: i + 1) },
                        doc.changingMembers(at: path) { $0.append($0[i]) },
                        doc.changingMembers(at: path) { $0.insert(.init(key: $0[i].key, value: .null), at: i) },
                        doc.changingMembers(at: path) { $0.append(.init(key: $0[i].key, value: .null)) },
                        doc.changingMembers(at: path) { $0.append(.init(key: $0[i].key, value: .s("other"))) },
                        doc.changingMembers(at: path) { $0.insert(.init(key: $0[i].key, value: .n("2")), at: 0) },
                    ]
                    for variant in variants {
                        if index == 0 { Self.check(Self.record, variant.encoded(), .contract, "\(Self.show(members[i].key)) twice at \(path)") }
                        else { Self.check(Self.snapshot, variant.encoded(), .contract, "\(Self.show(members[i].key)) twice at \(path)") }
                    }
                }
            }
        }
    }

    @Test("members in any order at every level, and an event's value before its type, for every event type")
    func memberOrder() {
        for (index, doc) in [Self.recordTemplate, Self.snapshotTemplate].enumerated() {
            for path in doc.objectPaths {
                let variants = [doc.changingMembers(at: path) { $0.reverse() }, doc.changingMembers(at: path) { if !$0.isEmpty { $0.append($0.removeFirst()) } }]
                for variant in variants {
                    if index == 0 { Self.check(Self.record, variant.encoded(), .reads, "reordered at \(path)") }
                    else { Self.check(Self.snapshot, variant.encoded(), .reads, "reordered at \(path)") }
                }
            }
        }
        for event in Self.eventTemplates {
            guard let members = event.members else { continue }
            let reversed = J.object(members.reversed())
            Self.check(Self.event, reversed.encoded(), .reads)
            // The value before the type, with unknown members around both.
            let padded = J.object([.init(key: Array("a".utf8), value: .array([.object([])]))] + members.reversed() + [.init(key: Array("z".utf8), value: .s("\\\""))])
            Self.check(Self.event, padded.encoded(), .reads)
            // A value before a type that turns out not to fit it.
            for wrong in [J.null, .n("1.5"), .n("-1"), .s("x"), .array([.null]), .object([]), .n("1e400"), .s(#"\uDE00"#)] {
                Self.check(Self.event, J.object([.init(key: Array("value".utf8), value: wrong)] + members.filter { $0.key != Array("value".utf8) }).encoded())
            }
        }
    }

    // MARK: - Whitespace, truncation, trailing bytes

    /// Counts the places `gap` is asked for whitespace.
    final class GapCounter {
        var count = 0
    }

    /// `doc` with `piece` at its `target`th whitespace place (or at every place when `target` is nil).
    static func encoded(_ doc: J, inserting piece: [UInt8], at target: Int?) -> [UInt8] {
        let counter = GapCounter()
        return doc.encoded {
            defer { counter.count += 1 }
            return target == nil || counter.count == target ? piece : []
        }
    }

    static func gapCount(_ doc: J) -> Int {
        let counter = GapCounter()
        _ = doc.encoded {
            counter.count += 1
            return []
        }
        return counter.count
    }

    @Test("whitespace of every JSON kind between every two tokens is read; what only looks like whitespace is refused by both")
    func whitespaceEverywhere() {
        let doc = Self.smallRecordTemplate
        for target in 0..<Self.gapCount(doc) {
            for space in Self.validSpaces { Self.check(Self.record, Self.encoded(doc, inserting: space, at: target), .reads, "at gap \(target)") }
            for space in Self.invalidSpaces {
                // JSONDecoder skips a byte order mark at the very start.
                let expectation: Expectation = target == 0 && space == [0xEF, 0xBB, 0xBF] ? .contract : .decoderThrows
                Self.check(Self.record, Self.encoded(doc, inserting: space, at: target), expectation, "at gap \(target)")
            }
        }
        for space in Self.validSpaces {
            Self.check(Self.record, Self.encoded(Self.recordTemplate, inserting: space, at: nil), .reads)
            Self.check(Self.snapshot, Self.encoded(Self.snapshotTemplate, inserting: space, at: nil), .reads)
        }
        // Whitespace inside tokens is not whitespace.
        for json in [#"{"seq":1 2,"events":[]}"#, #"{"seq":- 1,"events":[]}"#, #"{"seq":1,"events":[{"type":"summaryChanged","value":nu ll}]}"#,
                     #"{"seq":1,"events":[{"type":"summaryChanged","value":"\ n"}]}"#, #"{"seq":1,"events":[{"type":"summaryChanged","value":"\u 0041"}]}"#,
                     #"{"seq":1,"events":[{"type":"metadataSet","value":{"k":1. 5}}]}"#, #"{"seq":1,"events":[{"type":"metadataSet","value":{"k":1e 5}}]}"#] {
            Self.check(Self.record, Array(json.utf8), .decoderThrows)
        }
    }

    @Test("every prefix of a record and of a snapshot body, alone and followed by bytes; trailing bytes after whole documents")
    func truncationAndTrailingBytes() throws {
        let line = Self.smallRecordTemplate.encoded()
        let body = try #require(Self.direct(Self.snapshot, Self.snapshotTemplate.encoded()))
        let file = try SnapshotFile(context: body.context, sequence: body.sequence, revision: body.revision).encoded()
        for (shape, bytes) in [(0, line), (1, file), (0, Self.encoded(Self.smallRecordTemplate, inserting: [0x0D, 0x0A, 0x20], at: nil))] {
            for end in 0..<bytes.count {
                for tail: [UInt8] in [[], [0x20], [0x22], [0x7D], [0x5D], [0x00], [0xFF]] {
                    let cut = Array(bytes[..<end]) + tail
                    if shape == 0 { Self.check(Self.record, cut, .contract, "cut at \(end)") } else { Self.check(Self.snapshot, cut, .contract, "cut at \(end)") }
                }
            }
        }
        let trailing: [[UInt8]] = [
            [0x00], [0x0C], [0x7D], [0x5D], [0x2C], Array("{}".utf8), Array("[]".utf8), Array("x".utf8), Array("null".utf8), Array("1".utf8), Array("\"\"".utf8),
            [0xEF, 0xBB, 0xBF], [0xFF], [0x0A, 0x00], Array(" \n x".utf8), Array(",\"crc\":\"0\"}".utf8), Array("//".utf8),
        ]
        for tail in trailing {
            Self.check(Self.record, line + tail, .decoderThrows)
            Self.check(Self.snapshot, file + tail, .decoderThrows)
        }
        for tail: [UInt8] in [[0x20], [0x0A], [0x0D], [0x09], [0x0D, 0x0A, 0x0A]] {
            Self.check(Self.record, line + tail, .reads)
            Self.check(Self.snapshot, file + tail, .reads)
        }
        // Leading bytes: a BOM (JSONDecoder skips it), UTF-16, a second document before.
        for head: [UInt8] in [[0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0xFF, 0xFE], [0x00], Array("{}".utf8), [0x0C]] {
            Self.check(Self.record, head + line)
        }
        Self.check(Self.record, Array(String(decoding: line, as: UTF8.self).utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        Self.check(Self.record, Array(String(decoding: line, as: UTF8.self).utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    // MARK: - Nesting

    @Test("nesting near the reader's limit and JSONDecoder's, in metadata and in skipped values, balanced or not")
    func nesting() {
        let limit = JournalJSONReader.maximumDepth
        func arrays(_ depth: Int, _ inner: String = "") -> String { String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth) }
        func objects(_ depth: Int, _ inner: String = "1") -> String { String(repeating: #"{"a":"#, count: depth) + inner + String(repeating: "}", count: depth) }
        func mixed(_ depth: Int) -> String {
            var text = "0"
            for i in 0..<depth { text = i % 2 == 0 ? "[" + text + ",{}]" : #"{"":"# + text + "}" }
            return text
        }
        for depth in [1, 2, limit - 4, limit - 3, limit - 2, limit - 1, limit, limit + 1, 511, 512, 513, 2_000] {
            for inner in [arrays(depth), arrays(depth, "1"), arrays(depth, #""x""#), objects(depth), objects(depth, "[]"), mixed(depth)] {
                let inMetadata = #"{"userID":"u","metadata":{"v":"# + inner + "}}"
                let skipped = #"{"userID":"u","zz":"# + inner + "}"
                Self.check(Self.context, Array(inMetadata.utf8), depth <= limit - 3 ? .reads : .contract, "depth \(depth)")
                Self.check(Self.context, Array(skipped.utf8), depth <= limit - 2 ? .reads : .contract, "depth \(depth), skipped")
                Self.check(Self.record, Array((#"{"seq":1,"events":[{"type":"metadataSet","value":{"v":"# + inner + "}}]}").utf8), .contract, "depth \(depth)")
            }
            // Unbalanced.
            for inner in [String(repeating: "[", count: depth), String(repeating: "[", count: depth) + String(repeating: "]", count: depth - 1),
                          String(repeating: "[", count: depth) + String(repeating: "}", count: depth), String(repeating: "[", count: depth) + String(repeating: "]", count: depth + 1)] {
                Self.check(Self.context, Array((#"{"userID":"u","metadata":{"v":"# + inner + "}}").utf8), .decoderThrows, "depth \(depth)")
            }
        }
        // Far past every limit: no crash, no deep recursion.
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
        Self.check(Self.context, Array(#"{"userID":"u","zz":"#.utf8) + deep, .decoderThrows)
        Self.check(Self.metadata, Array(#"{"k":"#.utf8) + deep + [UInt8](repeating: UInt8(ascii: "]"), count: 200_000) + [0x7D], .decoderThrows)
    }

    // MARK: - Generated compositions

    /// A random value for a leaf or an unknown member: valid pieces mostly, invalid ones sometimes.
    static func randomValue(_ g: inout SeededRandom, depth: Int = 0) -> J {
        let valid = Int.random(in: 0..<10, using: &g) > 0
        switch Int.random(in: 0..<(depth > 2 ? 3 : 6), using: &g) {
        case 0: return .n(valid ? validNumbers.randomElement(using: &g)! : invalidNumbers.randomElement(using: &g)!)
        case 1: return .string(valid ? validStrings.randomElement(using: &g)! : invalidStrings.randomElement(using: &g)!)
        case 2: return .n(valid ? validLiterals.randomElement(using: &g)! : invalidLiterals.randomElement(using: &g)!)
        case 3: return .array((0..<Int.random(in: 0...3, using: &g)).map { _ in randomValue(&g, depth: depth + 1) })
        case 4:
            let depth = Int.random(in: 100...135, using: &g)
            return .raw(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8))
        default:
            return .object((0..<Int.random(in: 0...3, using: &g)).map { _ in J.Member(key: keyPieces.randomElement(using: &g)!, value: randomValue(&g, depth: depth + 1)) })
        }
    }

    /// A leaf of the same kind as `node`: a string for a string, a number for a number.
    static func sameKind(as node: J, _ g: inout SeededRandom) -> J {
        let valid = Int.random(in: 0..<8, using: &g) > 0
        switch node {
        case .string: return .string(valid ? validStrings.randomElement(using: &g)! : invalidStrings.randomElement(using: &g)!)
        case .raw(let bytes) where bytes.first.map({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) }) == true:
            if Bool.random(using: &g) { return .n(integerSpellings.randomElement(using: &g)!) }
            return .n(valid ? validNumbers.randomElement(using: &g)! : invalidNumbers.randomElement(using: &g)!)
        case .raw: return .n(valid ? validLiterals.randomElement(using: &g)! : invalidLiterals.randomElement(using: &g)!)
        default: return randomValue(&g)
        }
    }

    /// `doc` after one to four random edits from every family above.
    static func composed(_ doc: J, _ g: inout SeededRandom) -> J {
        var doc = doc
        for _ in 0..<Int.random(in: 1...4, using: &g) {
            let paths = doc.paths()
            let path = paths.randomElement(using: &g)!
            let node = doc.node(at: path[...])
            let objectPath = doc.objectPaths.randomElement(using: &g)!
            let count = doc.node(at: objectPath[...]).members?.count ?? 0
            switch Int.random(in: 0..<12, using: &g) {
            case 0 where !path.isEmpty: doc = doc.replacing(at: path, with: .null)
            case 1 where !path.isEmpty, 2 where !path.isEmpty: doc = doc.replacing(at: path, with: sameKind(as: node, &g))
            case 3:
                let member = J.Member(key: keyPieces.randomElement(using: &g)!, value: randomValue(&g))
                doc = doc.changingMembers(at: objectPath) { $0.insert(member, at: Int.random(in: 0...count, using: &g)) }
            case 4 where count > 0:
                let i = Int.random(in: 0..<count, using: &g)
                let value = Bool.random(using: &g) ? nil : randomValue(&g)
                doc = doc.changingMembers(at: objectPath) { $0.insert(.init(key: $0[i].key, value: value ?? $0[i].value), at: Int.random(in: 0...count, using: &g)) }
            case 5: doc = doc.changingMembers(at: objectPath) { $0.shuffle(using: &g) }
            case 6 where count > 0:
                let i = Int.random(in: 0..<count, using: &g)
                doc = doc.changingMembers(at: objectPath) { members in
                    guard let first = members[i].key.first else { return }
                    members[i].key = Array(("\\u00" + String(first, radix: 16)).utf8) + members[i].key.dropFirst()
                }
            case 7 where count > 0:
                let i = Int.random(in: 0..<count, using: &g)
                doc = doc.changingMembers(at: objectPath) { $0.remove(at: i) }
            case 8 where !path.isEmpty: doc = doc.replacing(at: path, with: randomValue(&g))
            case 9:
                let group = equivalentKeys.randomElement(using: &g)!
                let keys = (0..<Int.random(in: 1...2, using: &g)).map { _ in group.randomElement(using: &g)! }
                doc = doc.changingMembers(at: objectPath) { members in
                    for key in keys { members.insert(.init(key: key, value: .n("1")), at: Int.random(in: 0...members.count, using: &g)) }
                }
            case 10:
                if case .array(var items) = node, !items.isEmpty {
                    let i = Int.random(in: 0..<items.count, using: &g)
                    if Bool.random(using: &g) { items.insert(items[i], at: i) } else { items.remove(at: i) }
                    doc = doc.replacing(at: path, with: .array(items))
                }
            default:
                if case .string(var bytes) = node, !path.isEmpty {
                    bytes.insert(contentsOf: invalidUTF8.randomElement(using: &g)!, at: Int.random(in: 0...bytes.count, using: &g))
                    doc = doc.replacing(at: path, with: .string(bytes))
                }
            }
        }
        return doc
    }

    /// `doc`'s bytes with random whitespace (rarely something that only looks like it), then
    /// sometimes cut or followed by a stray byte.
    static func composedBytes(_ doc: J, _ g: inout SeededRandom) -> [UInt8] {
        final class Box {
            var random: SeededRandom
            init(_ random: SeededRandom) { self.random = random }
        }
        let box = Box(SeededRandom(seed: g.next()))
        let density = [0, 0, 3, 20, 100].randomElement(using: &g)!
        var bytes = doc.encoded {
            guard Int.random(in: 0..<100, using: &box.random) < density else { return [] }
            if Int.random(in: 0..<500, using: &box.random) == 0 { return invalidSpaces.randomElement(using: &box.random)! }
            return validSpaces.randomElement(using: &box.random)!
        }
        switch Int.random(in: 0..<20, using: &g) {
        case 0 where !bytes.isEmpty: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &g)...)
        case 1: bytes.append([0x00, 0x7D, 0x2C, 0x22, 0xFF, 0x0C].randomElement(using: &g)!)
        case 2 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &g))
        default: break
        }
        return bytes
    }

    @Test("thousands of seeded compositions of every variation above: the reader declines or agrees with JSONDecoder byte for byte")
    func generated() {
        var g = SeededRandom(seed: 0x5EED_ADE5)
        var read = (records: 0, snapshots: 0, contexts: 0)
        let cases = 1_500
        for _ in 0..<cases {
            let recordBytes = Self.composedBytes(Self.composed(Bool.random(using: &g) ? Self.smallRecordTemplate : Self.recordTemplate, &g), &g)
            if Self.check(Self.record, recordBytes) { read.records += 1 }
            let snapshotBytes = Self.composedBytes(Self.composed(Self.snapshotTemplate, &g), &g)
            if Self.check(Self.snapshot, snapshotBytes) { read.snapshots += 1 }
            let contextBytes = Self.composedBytes(Self.composed(Self.contextTemplate, &g), &g)
            if Self.check(Self.context, contextBytes) { read.contexts += 1 }
        }
        // Not vacuous: a good share of the compositions stay valid and are read.
        #expect(read.records > cases / 10 && read.snapshots > cases / 10 && read.contexts > cases / 10, "read \(read) of \(cases) each")
    }

    // MARK: - The hooks, end to end

    /// `body` (a record object without its crc member) as a signed journal line.
    static func signedLine(_ body: [UInt8]) -> [UInt8]? {
        guard body.first == UInt8(ascii: "{"), body.last == UInt8(ascii: "}"), body.count > 2 else { return nil }
        let content = Array(body.dropLast())
        return content + Array(#","crc":""#.utf8) + CRC32C.hex(CRC32C.checksum(content)) + Array(#""}"#.utf8)
    }

    /// `body` (a snapshot body without its checksum member) as a snapshot file whose checksum holds.
    static func snapshotFile(_ body: [UInt8]) -> [UInt8]? {
        guard body.first == UInt8(ascii: "{") else { return nil }
        var file = Array("{\n".utf8) + Array(#"  "checksum" : "00000000","#.utf8) + [0x0A] + body.dropFirst() + [0x0A]
        let t = SnapshotFile.lineFeedsOnly(file)
        guard t.count > 29 else { return nil }
        let end = t.last == 0x0A ? t.count - 1 : t.count
        file.replaceSubrange(18..<26, with: CRC32C.hex(CRC32C.checksum(t[0..<2] + t[29..<end])))
        return file
    }

    @Test("JournalRecord.decode, decodeIgnoringChecksum and SnapshotFile.decode give JSONDecoder's result on composed documents")
    func hooks() throws {
        var g = SeededRandom(seed: 0x400C5)
        let recordBody = Self.smallRecordTemplate.changingMembers(at: []) { $0.removeLast() }
        let snapshotBody = Self.snapshotTemplate.changingMembers(at: []) { $0.removeFirst() }
        var agreed = (records: 0, snapshots: 0)
        for _ in 0..<600 {
            if let line = Self.signedLine(Self.composedBytes(Self.composed(recordBody, &g), &g)) {
                let mirror = try? JSONDecoder().decode(WireMirror.self, from: Data(line))
                let decoded = JournalRecord.decode(line: line[...], decoder: JSONDecoder())
                var unsigned = line
                unsigned.replaceSubrange((line.count - 10)..<(line.count - 2), with: Array("zzzzzzzz".utf8))
                let ignoring = JournalRecord.decodeIgnoringChecksum(line: unsigned[...], decoder: JSONDecoder())
                if let mirror {
                    let expected = Fingerprint { $0.record(JournalRecord(sequence: mirror.seq, events: mirror.events)) }
                    #expect((try? decoded.get()).map { r in Fingerprint { $0.record(r) } } == expected, "\(Self.show(line))")
                    #expect(ignoring.map { r in Fingerprint { $0.record(r) } } == expected, "\(Self.show(line))")
                    agreed.records += 1
                } else {
                    #expect((try? decoded.get()) == nil, "decoded what JSONDecoder refuses: \(Self.show(line))")
                    #expect(ignoring == nil, "decoded what JSONDecoder refuses: \(Self.show(line))")
                }
            }
            if let file = Self.snapshotFile(Self.composedBytes(Self.composed(snapshotBody, &g), &g)) {
                let mirror = try? JSONDecoder().decode(BodyMirror.self, from: Data(SnapshotFile.lineFeedsOnly(file)))
                let decoded = Result<SnapshotFile, SnapshotFile.ReadError> { () throws(SnapshotFile.ReadError) in try SnapshotFile.decode(file) }
                if let mirror {
                    if mirror.format > SnapshotFile.currentFormat {
                        #expect(throws: SnapshotFile.ReadError.newerFormat(mirror.format)) { try decoded.get() }
                    } else {
                        let expected = Fingerprint { $0.snapshotFile(SnapshotFile(context: mirror.context, sequence: mirror.sequence, revision: mirror.revision)) }
                        #expect((try? decoded.get()).map { s in Fingerprint { $0.snapshotFile(s) } } == expected, "\(Self.show(file))")
                        agreed.snapshots += 1
                    }
                } else {
                    #expect((try? decoded.get()) == nil, "decoded what JSONDecoder refuses: \(Self.show(file))")
                }
            }
        }
        #expect(agreed.records > 60 && agreed.snapshots > 60, "agreed \(agreed)")
    }
}
