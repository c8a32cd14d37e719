/// Re-lays out compact JSON the way `JSONEncoder`'s `.prettyPrinted` does, byte for byte:
///
/// ```
/// {                      ← an opening bracket ends its line
///   "key" : [            ← two spaces per level; " : " between a key and its value
///     1,                 ← one element per line, "," at its end
///     2
///   ],                   ← the closing bracket on a line of its own
///   "none" : [
///
///   ]                    ← an empty array or object: an empty line between its brackets
/// }
/// ```
///
/// Snapshots are written this way so that a person can read and edit them. `JSONEncoder` took
/// about 120 ms for a 10,000-message snapshot (it builds a tree of the whole context, then
/// writes it); ``JournalJSONWriter`` writes the same values compactly in a few milliseconds,
/// and this pass adds the layout. The tests check the result against `JSONEncoder` on random
/// data.
enum PrettyJSON {
    /// `compact` (JSON with no whitespace outside strings, as ``JournalJSONWriter`` and
    /// `JSONEncoder` write it) re-laid out, appended to `out`.
    static func append(_ compact: [UInt8], to out: inout [UInt8]) {
        // Whitespace adds about a third to a message-heavy context.
        out.reserveCapacity(out.count + compact.count + compact.count / 2)
        compact.withUnsafeBufferPointer { json in
            var depth = 0
            var i = 0
            while i < json.count {
                let byte = json[i]
                switch byte {
                case UInt8(ascii: "\""):
                    let end = stringEnd(json, from: i)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: json[i..<end]))
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    out.append(byte)
                    if i + 1 < json.count, json[i + 1] == closing(byte) {
                        // Empty: `[`, an empty line, and `]` at the bracket's own depth.
                        out.append(UInt8(ascii: "\n"))
                        newLine(depth, &out)
                        out.append(json[i + 1])
                        i += 2
                        continue
                    }
                    depth += 1
                    newLine(depth, &out)
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    newLine(depth, &out)
                    out.append(byte)
                case UInt8(ascii: ","):
                    out.append(byte)
                    newLine(depth, &out)
                case UInt8(ascii: ":"):
                    // Three appends, not an array literal: that would allocate once per key.
                    out.append(UInt8(ascii: " "))
                    out.append(byte)
                    out.append(UInt8(ascii: " "))
                default:
                    out.append(byte)  // numbers, true, false, null
                }
                i += 1
            }
        }
    }

    /// The index just past the string that starts with the quote at `start`. Inside a string
    /// of valid JSON, a quote or backslash is either the closing quote or starts an escape (and
    /// no control byte appears raw), so runs of eight bytes with nothing to escape are skipped whole.
    private static func stringEnd(_ json: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start + 1
        while i < json.count {
            if i + 8 <= json.count, !JSONEscaping.wordHasByteToEscape(UnsafeRawBufferPointer(json).loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            switch json[i] {
            case UInt8(ascii: "\""): return i + 1
            case UInt8(ascii: "\\"): i += 2
            default: i += 1
            }
        }
        return json.count  // unterminated: only malformed input, copied as it is
    }

    private static func closing(_ opening: UInt8) -> UInt8 {
        opening == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
    }

    /// A line feed, then two spaces per level of `depth`.
    @inline(__always)
    private static func newLine(_ depth: Int, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(2 * depth) { out.append(UInt8(ascii: " ")) }
    }
}
