import Foundation

/// Reads the store's JSON straight from bytes: the mirror of ``JournalJSONWriter``.
///
/// A cold load decodes a whole snapshot, and `JSONDecoder` (which maps the document first, then
/// decodes it through keyed containers that turn every key into a `String` and a dictionary) is
/// most of that load's time. This reader walks the bytes once and builds the model values
/// directly; the model half is in `JournalJSONReader+Model.swift`.
///
/// It is a fast path, never the authority. It reads a strict subset of JSON and, on anything
/// outside it, gives up: ``snapshotBody(_:)`` and ``record(_:)`` return `nil`, and the caller
/// decodes with `JSONDecoder` exactly as before, which also writes the error messages. When it returns a
/// value, that value is `==` to what `JSONDecoder` and the model's `Decodable` conformances make
/// of the same bytes (the tests and the fuzz target compare the two on generated, hand-written
/// and randomly mutated documents). It gives up on:
/// - anything RFC 8259 does not allow, including what `JSONDecoder` tolerates (trailing commas)
///   and strings that are not valid UTF-8, hold a raw control byte or a lone surrogate escape;
/// - a key of a model object that is not plain printable ASCII without escapes, and any key
///   seen twice in one object (see ``modelKey()`` and `JournalJSONReader+Model.swift`);
/// - integers written with a fraction or exponent (`1.0`, `1e2`), as `-0`, or out of range;
///   numbers whose `Double` is infinite or rounds a non-zero to zero;
/// - nesting deeper than ``maximumDepth``, and anything but whitespace after the document.
struct JournalJSONReader {
    /// The reader gave up: the bytes are outside the subset it reads. It carries nothing, because
    /// the caller falls back to `JSONDecoder`, which says what (if anything) is wrong.
    struct Declined: Error {}

    /// The deepest nesting of objects and arrays read; deeper documents are left to `JSONDecoder`
    /// (whose limit is 512). The store nests seven deep at most (record, events, event, context,
    /// history, message, metadata) before metadata's own values; the bound keeps the recursion
    /// of ``skipValue()`` and of JSON values far from a thread's stack limit.
    static let maximumDepth = 128

    /// The document.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to read.
    var position = 0
    /// How many objects and arrays enclose `position`.
    private var depth = 0
    /// Where strings with escapes are decoded, reused so that each does not allocate a buffer.
    private var unescaped: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads one document with `read`, which must consume one JSON value; `nil` when the reader
    /// declines or anything but whitespace follows the value.
    static func document<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ read: (inout Self) throws(Declined) -> T) -> T? {
        var reader = Self(bytes)
        do {
            let value = try read(&reader)
            // JSONDecoder allows the same four whitespace bytes after the value, and nothing else.
            guard reader.significantByteOrEnd() == nil else { return nil }
            return value
        } catch {
            return nil
        }
    }

    // MARK: Bytes and whitespace

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// The next byte that is not JSON whitespace (space, tab, LF, CR), not consumed; declines at
    /// the end of the bytes.
    @inline(__always)
    mutating func significantByte() throws(Declined) -> UInt8 {
        guard let byte = significantByteOrEnd() else { throw Declined() }
        return byte
    }

    /// Like ``significantByte()``, with `nil` at the end of the bytes.
    @inline(__always)
    mutating func significantByteOrEnd() -> UInt8? {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            case let byte: return byte
            }
        }
        return nil
    }

    /// Consumes `byte`, the next significant one.
    @inline(__always)
    mutating func consume(_ byte: UInt8) throws(Declined) {
        guard try significantByte() == byte else { throw Declined() }
        position += 1
    }

    /// Consumes `literal` (`true`, `false`, `null`) at `position`.
    private mutating func consumeLiteral(_ literal: StaticString) throws(Declined) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count,
            Self.bytes(UnsafeBufferPointer(rebasing: bytes[position..<(position + count)]), are: literal)
        else { throw Declined() }
        position += count
    }

    // MARK: Objects and arrays

    private mutating func enterContainer() throws(Declined) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Declined() }
    }

    /// Consumes `{`: `true` when a member follows, `false` for `{}`. Read each member with a
    /// key function and a value function, then ``endOfMember()``.
    mutating func beginObject() throws(Declined) -> Bool {
        try consume(UInt8(ascii: "{"))
        try enterContainer()
        guard try significantByte() == UInt8(ascii: "}") else { return true }
        position += 1
        depth -= 1
        return false
    }

    /// After a member's value: `true` after a comma (a member follows: a trailing comma then
    /// fails at its key), `false` after the closing brace.
    mutating func endOfMember() throws(Declined) -> Bool {
        try endOfItem(closing: UInt8(ascii: "}"))
    }

    /// Consumes `[`: `true` when an element follows, `false` for `[]`.
    mutating func beginArray() throws(Declined) -> Bool {
        try consume(UInt8(ascii: "["))
        try enterContainer()
        guard try significantByte() == UInt8(ascii: "]") else { return true }
        position += 1
        depth -= 1
        return false
    }

    /// After an element: `true` after a comma, `false` after the closing bracket.
    mutating func endOfElement() throws(Declined) -> Bool {
        try endOfItem(closing: UInt8(ascii: "]"))
    }

    private mutating func endOfItem(closing: UInt8) throws(Declined) -> Bool {
        let byte = try significantByte()
        position += 1
        if byte == UInt8(ascii: ",") { return true }
        guard byte == closing else { throw Declined() }
        depth -= 1
        return false
    }

    /// An array whose elements `element` reads.
    mutating func array<T>(_ element: (inout Self) throws(Declined) -> T) throws(Declined) -> [T] {
        var result: [T] = []
        guard try beginArray() else { return result }
        repeat {
            result.append(try element(&self))
        } while try endOfElement()
        return result
    }

    /// Reads with `read` the value at `offset`, a value of the object just closed that was
    /// skipped before it could be understood (an event's value before its type); `position` is
    /// left where it was.
    mutating func readAgain<T>(at offset: Int, _ read: (inout Self) throws(Declined) -> T) throws(Declined) -> T {
        let resume = position
        position = offset
        depth += 1  // the value is inside that object, as it was when skipped
        defer {
            depth -= 1
            position = resume
        }
        return try read(&self)
    }

    /// The key of a member of a model object, and its colon: only printable ASCII without
    /// escapes. `JSONDecoder` matches keys as Swift strings, which compare by canonical
    /// equivalence (U+212A KELVIN SIGN equals "K"); a key of plain ASCII bytes equals a name the
    /// model knows exactly when its bytes do, so only such keys are matched by bytes here.
    mutating func modelKey() throws(Declined) -> Key {
        try consume(Self.quote)
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == Self.quote {
                let key = Key(bytes: UnsafeBufferPointer(rebasing: bytes[start..<position]))
                position += 1
                try consume(UInt8(ascii: ":"))
                return key
            }
            guard byte >= 0x20, byte < 0x7F, byte != Self.backslash else { throw Declined() }
            position += 1
        }
        throw Declined()
    }

    /// A key's bytes, compared with the names of coding keys (`case "userID":` in a `switch`).
    struct Key {
        let bytes: UnsafeBufferPointer<UInt8>

        static func ~= (name: StaticString, key: Key) -> Bool { JournalJSONReader.bytes(key.bytes, are: name) }
    }

    /// Whether `bytes` are `text`'s. A loop, not `memcmp`: the texts are short names and
    /// literals, and the C library is reached only through `Platform`.
    static func bytes(_ bytes: UnsafeBufferPointer<UInt8>, are text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == bytes.count else { return false }
        let textBytes = text.utf8Start
        for i in 0..<bytes.count where bytes[i] != textBytes[i] { return false }
        return true
    }

    // MARK: Strings

    /// A string value: valid UTF-8, no raw control bytes, any escape `JSONDecoder` decodes the
    /// same way (surrogate pairs included; a lone surrogate declines).
    mutating func string() throws(Declined) -> String {
        try consume(Self.quote)
        let start = position
        let isASCII = scanRun()
        guard position < bytes.count else { throw Declined() }
        switch bytes[position] {
        case Self.quote:
            // The common case: no escapes, so the string is the bytes as they are.
            let value = try Self.validString(UnsafeBufferPointer(rebasing: bytes[start..<position]), isASCII: isASCII)
            position += 1
            return value
        case Self.backslash:
            return try stringWithEscapes(from: start, isASCII: isASCII)
        default:
            throw Declined()  // a raw control byte
        }
    }

    /// Moves `position` to the next `"`, `\` or control byte (or the end); whether the bytes
    /// passed over are all ASCII.
    @inline(__always)
    private mutating func scanRun() -> Bool {
        // Eight bytes at a time: a message's text is most of a snapshot, and in a word without
        // a byte that ends the run, any byte above 0x7F is the only thing to note.
        var highBits: UInt64 = 0
        while bytes.count - position >= 8 {
            let word = UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self)
            guard !JSONEscaping.wordHasByteToEscape(word) else { break }
            highBits |= word
            position += 8
        }
        var isASCII = highBits & 0x8080_8080_8080_8080 == 0
        while position < bytes.count {
            let byte = bytes[position]
            if JSONEscaping.mustEscape(byte) { break }
            if byte >= 0x80 { isASCII = false }
            position += 1
        }
        return isASCII
    }

    /// A string's raw bytes between its quotes, when it has no escapes and no control bytes (not
    /// validated as UTF-8: for texts compared with ASCII, such as timestamps and event types).
    mutating func plainStringBytes() throws(Declined) -> UnsafeBufferPointer<UInt8> {
        try consume(Self.quote)
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == Self.quote {
                position += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)])
            }
            guard byte >= 0x20, byte != Self.backslash else { throw Declined() }
            position += 1
        }
        throw Declined()
    }

    /// `utf8` as a string; declines when it is not valid UTF-8, as `JSONDecoder` fails on such
    /// bytes (its `String._tryFromUTF8` and `String(validating:as:)` apply the same rules).
    private static func validString(_ utf8: UnsafeBufferPointer<UInt8>, isASCII: Bool) throws(Declined) -> String {
        // ASCII needs no validation, and `String(validating:as:)`, generic and not specialized,
        // costs a few metadata look-ups per call: more than short strings cost to read.
        if isASCII { return String(decoding: utf8, as: UTF8.self) }
        guard let value = String(validating: utf8, as: UTF8.self) else { throw Declined() }
        return value
    }

    /// The rest of a string from its first backslash at `position`; `start` is its first byte,
    /// `isASCII` whether the bytes before the backslash are ASCII.
    private mutating func stringWithEscapes(from start: Int, isASCII: Bool) throws(Declined) -> String {
        var isASCII = isASCII
        unescaped.removeAll(keepingCapacity: true)
        unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            position += 1  // the backslash
            isASCII = try unescape() && isASCII
            let runStart = position
            isASCII = scanRun() && isASCII
            unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            guard position < bytes.count else { throw Declined() }
            switch bytes[position] {
            case Self.quote:
                position += 1
                // Validating the whole is validating each raw run: an escape always yields whole
                // UTF-8 sequences, so it can neither complete nor break a raw run's sequence.
                return try unescaped.withUnsafeBufferPointer { buffer throws(Declined) in try Self.validString(buffer, isASCII: isASCII) }
            case Self.backslash:
                continue
            default:
                throw Declined()  // a raw control byte
            }
        }
    }

    /// Decodes the escape after a backslash into `unescaped`; whether it stood for an ASCII character.
    private mutating func unescape() throws(Declined) -> Bool {
        guard position < bytes.count else { throw Declined() }
        let byte = bytes[position]
        position += 1
        switch byte {
        case Self.quote, Self.backslash, UInt8(ascii: "/"): unescaped.append(byte)
        case UInt8(ascii: "b"): unescaped.append(0x08)
        case UInt8(ascii: "f"): unescaped.append(0x0C)
        case UInt8(ascii: "n"): unescaped.append(0x0A)
        case UInt8(ascii: "r"): unescaped.append(0x0D)
        case UInt8(ascii: "t"): unescaped.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hexCodeUnit()
            var scalar: Unicode.Scalar?
            if UTF16.isLeadSurrogate(unit) {
                // JSONDecoder requires the trailing half right after, as `\uXXXX`.
                try consumeRaw(Self.backslash)
                try consumeRaw(UInt8(ascii: "u"))
                let trail = try hexCodeUnit()
                guard UTF16.isTrailSurrogate(trail) else { throw Declined() }
                scalar = Unicode.Scalar(0x10000 + (UInt32(unit) - 0xD800) << 10 + (UInt32(trail) - 0xDC00))
            } else {
                scalar = Unicode.Scalar(unit)  // nil for a lone trailing surrogate
            }
            guard let scalar else { throw Declined() }
            UTF8.encode(scalar) { unescaped.append($0) }
            return scalar.isASCII
        default:
            throw Declined()
        }
        return true
    }

    /// Consumes `byte` at `position`, whitespace not skipped (inside a string).
    private mutating func consumeRaw(_ byte: UInt8) throws(Declined) {
        guard position < bytes.count, bytes[position] == byte else { throw Declined() }
        position += 1
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hexCodeUnit() throws(Declined) -> UInt16 {
        guard bytes.count - position >= 4 else { throw Declined() }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Declined()
            }
            unit = unit << 4 | UInt16(digit)
            position += 1
        }
        return unit
    }

    // MARK: Numbers

    /// Where a number's text is, and whether it is an integer (no fraction, no exponent).
    private struct NumberText {
        var range: Range<Int>
        var isInteger: Bool
    }

    /// Consumes one number of the JSON grammar, `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func numberText() throws(Declined) -> NumberText {
        _ = try significantByte()
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw Declined() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1  // a leading zero stands alone
        } else {
            try digits()
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            try digits()
            isInteger = false
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try digits()
            isInteger = false
        }
        return NumberText(range: start..<position, isInteger: isInteger)
    }

    /// Consumes one or more decimal digits.
    private mutating func digits() throws(Declined) {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        guard position > start else { throw Declined() }
    }

    /// An integer field (`seq`, `format`, a count, a millisecond timestamp): plain digits that fit
    /// `T`. `JSONDecoder` also takes `1.0` and `1e2` for integers (through a `Double` or a
    /// `Decimal`), and `-0`; the store writes none of them, so they are left to it.
    mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) throws(Declined) -> T {
        let text = try numberText()
        guard text.isInteger else { throw Declined() }
        var index = text.range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative {
            guard T.isSigned else { throw Declined() }
            index += 1
        }
        guard !(negative && text.range.count == 2 && bytes[index] == UInt8(ascii: "0")) else { throw Declined() }
        var value: T = 0
        while index < text.range.upperBound {
            let digit = T(bytes[index] - UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            // Accumulating negative values reaches T.min, which has no positive counterpart.
            let (next, overflow2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw Declined() }
            value = next
            index += 1
        }
        return value
    }

    /// A number as `JSONDecoder` decodes a `Double`: `strtod`'s correctly rounded value (which
    /// `Double.init(_: String)` also returns), refused when infinite or when a non-zero rounds
    /// to zero.
    mutating func double() throws(Declined) -> Double {
        let text = try numberText()
        let negative = bytes[text.range.lowerBound] == UInt8(ascii: "-")
        let digitCount = text.range.count - (negative ? 1 : 0)
        if text.isInteger, digitCount <= 15 {
            // Exact: every integer below 10^15 is a Double, so there is nothing to round ("-0"
            // is -0.0, as strtod reads it).
            var magnitude: Int64 = 0
            for index in (text.range.lowerBound + (negative ? 1 : 0))..<text.range.upperBound {
                magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            }
            return negative ? -Double(magnitude) : Double(magnitude)
        }
        let textBytes = UnsafeBufferPointer(rebasing: bytes[text.range])
        guard let value = Double(String(decoding: textBytes, as: UTF8.self)), value.isFinite else { throw Declined() }
        if value == 0 {
            // JSONDecoder refuses an underflow ("1e-400"): a zero from a significand with a non-zero digit.
            for byte in textBytes {
                if byte | 0x20 == UInt8(ascii: "e") { break }
                guard byte == UInt8(ascii: "0") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") else { throw Declined() }
            }
        }
        return value
    }

    // MARK: Literals and skipped values

    /// Consumes `null` if it is next: an optional field that is `null` reads as missing, as with
    /// `JSONDecoder`'s `decodeIfPresent`.
    mutating func consumeNull() throws(Declined) -> Bool {
        guard try significantByte() == UInt8(ascii: "n") else { return false }
        try consumeLiteral("null")
        return true
    }

    /// `true` or `false`.
    mutating func bool() throws(Declined) -> Bool {
        if try significantByte() == UInt8(ascii: "t") {
            try consumeLiteral("true")
            return true
        }
        try consumeLiteral("false")
        return false
    }

    /// Consumes any JSON value, checked against the JSON grammar and its strings as strictly as
    /// strings that are read. `JSONDecoder` only checks the structure of a value it skips, so a
    /// value declined here is one it may accept, never the reverse; a number is not converted
    /// (`1e400` is skipped by both).
    mutating func skipValue() throws(Declined) {
        switch try significantByte() {
        case Self.quote:
            _ = try string()
        case UInt8(ascii: "{"):
            guard try beginObject() else { return }
            repeat {
                _ = try string()
                try consume(UInt8(ascii: ":"))
                try skipValue()
            } while try endOfMember()
        case UInt8(ascii: "["):
            guard try beginArray() else { return }
            repeat {
                try skipValue()
            } while try endOfElement()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try bool()
        case UInt8(ascii: "n"):
            try consumeLiteral("null")
        default:
            _ = try numberText()
        }
    }
}
