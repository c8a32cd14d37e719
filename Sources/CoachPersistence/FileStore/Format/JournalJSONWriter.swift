/// Writes journal events as compact JSON with sorted keys, straight into bytes.
///
/// The journal is on every save's path, where `JSONEncoder` (which builds a tree, then sorts,
/// then writes) costs more than the rest of the save together. This writer produces the same
/// bytes `JSONCoding.compactEncoder()` would for the same values — the tests check that on
/// random data — so the `Codable` conformances stay the single definition of the format
/// (``JournalJSONReader`` mirrors it for reading, with `JSONDecoder` behind it).
struct JournalJSONWriter {
    /// The bytes written so far.
    var bytes: [UInt8] = []

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    /// Why a value cannot be written: JSON has no NaN or infinity.
    struct NonFiniteNumber: Error, CustomStringConvertible {
        var value: Double
        var description: String { "\(value) is not a valid JSON number" }
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    // Disfavoured so that a literal picks the `StaticString` version above: a `String` append
    // costs ~170 instructions, and records are written from a dozen literals each.
    @_disfavoredOverload
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // No `reserveCapacity` for the exact size here: it would give up the array's
            // doubling, and every later append past it would copy the buffer again.
            var start = 0
            var i = 0
            while i < utf8.count {
                // Eight bytes at a time while none needs escaping.
                if i + 8 <= utf8.count, !JSONEscaping.wordHasByteToEscape(UnsafeRawBufferPointer(utf8).loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    i += 8
                    continue
                }
                let b = utf8[i]
                if JSONEscaping.mustEscape(b) {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                    escape(b)
                    start = i + 1
                }
                i += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): raw(#"\""#)
        case UInt8(ascii: "\\"): raw(#"\\"#)
        case 0x0A: raw(#"\n"#)
        case 0x0D: raw(#"\r"#)
        case 0x09: raw(#"\t"#)
        case 0x08: raw(#"\b"#)
        case 0x0C: raw(#"\f"#)
        default:
            let hex = Array("0123456789abcdef".utf8)
            raw(#"\u00"#)
            bytes += [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
        }
    }

    /// Appends `value` in decimal, as `String(value)` would, without making the string.
    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Twenty digits hold any 64-bit magnitude; filled from the end, appended once.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var magnitude = value.magnitude
        var start = 24
        withUnsafeMutableBytes(of: &digits) { out in
            repeat {
                start -= 1
                out[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: out[start...]))
        }
    }

    mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw(#"":"#)
    }

    mutating func number(_ value: Double) throws(NonFiniteNumber) {
        guard value.isFinite else { throw NonFiniteNumber(value: value) }
        if value == value.rounded(), abs(value) <= 9_007_199_254_740_992 {
            integer(Int64(value))
        } else {
            raw(value.description)
        }
    }

    mutating func array<T>(_ values: [T], _ element: (inout Self, T) throws(NonFiniteNumber) -> Void) throws(NonFiniteNumber) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            try element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func strings(_ values: [String]) {
        try! array(values) { w, s in w.string(s) }
    }

    mutating func object(_ values: [String: JSONValue]) throws(NonFiniteNumber) {
        bytes.append(UInt8(ascii: "{"))
        let keys = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for (i, key) in keys.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            try value(values[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func value(_ value: JSONValue) throws(NonFiniteNumber) {
        switch value {
        case .string(let s): string(s)
        case .number(let n): try number(n)
        case .bool(let b): b ? raw("true") : raw("false")
        case .null: raw("null")
        case .array(let values): try array(values) { w, v throws(NonFiniteNumber) in try w.value(v) }
        case .object(let values): try object(values)
        }
    }
}
