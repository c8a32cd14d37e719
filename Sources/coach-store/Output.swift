import CoachPersistence
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to the terminal, and the formats every command shares.
enum Output {
    /// Writes a line (or several) to standard output.
    static func line(_ text: String = "") {
        print(text)
    }

    /// Writes raw bytes to standard output (exports, `show --json`).
    static func raw(_ data: Data) {
        fflush(nil)
        FileHandle.standardOutput.write(data)
    }

    /// Writes a line to standard error.
    static func error(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Whether standard output is a terminal (for progress lines).
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Replaces the current terminal line with `text` (a progress line); `nil` clears it.
    static func progress(_ text: String?) {
        print("\r\u{1B}[K" + (text ?? ""), terminator: "")
        fflush(nil)
    }

    // MARK: Formats

    /// `812 B`, `2.1 KiB`, `3.4 MiB`.
    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (value < 10 ? String(format: "%.1f", value) : String(format: "%.0f", value)) + " " + units[unit]
    }

    /// `2026-11-20T18:42Z`: ISO 8601 in UTC, with its zone; with `seconds`, `2026-11-20T18:42:05Z`.
    static func date(_ date: Date, seconds: Bool = false) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min)
        if seconds { text += String(format: ":%02d", parts.tm_sec) }
        return text + "Z"
    }

    /// `2026-11-20T18:42:05.123Z`: the full instant, as the store writes it (JSON output).
    static func instant(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var time = time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        let fraction = ((ms % 1000) + 1000) % 1000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int32(fraction))
    }

    /// `value` as pretty JSON with sorted keys, then a newline, on standard output.
    static func json(_ value: JSONValue) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        raw(((try? encoder.encode(value)) ?? Data("null".utf8)) + Data("\n".utf8))
    }

    /// `1 record`, `3 records`.
    static func count(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }

    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func short(_ text: String, _ limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    /// `text` broken into lines of at most `width` characters at spaces (a longer word stays whole).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = String(word)
                } else {
                    line += (line.isEmpty ? "" : " ") + word
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// A user id for display: control characters escaped so that they cannot move the cursor.
    static func id(_ userID: String) -> String {
        var text = ""
        for scalar in userID.unicodeScalars {
            text += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text
    }

    /// A word for a shell command line, quoted when it needs to be.
    static func shellWord(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The path of `relative` inside the store directory as the user typed it.
    static func path(_ directory: String, _ relative: String) -> String {
        var base = directory
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base == "/" ? "/" + relative : base + "/" + relative
    }
}

/// A plain-text table: a header row, columns padded to their widest cell, two spaces apart.
struct Table {
    enum Alignment { case left, right }

    let columns: [(title: String, alignment: Alignment)]
    private(set) var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        self.columns = columns.map { (title: $0.0, alignment: $0.1) }
    }

    mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The table's lines, without trailing spaces.
    var lines: [String] {
        let all = [columns.map(\.title)] + rows
        let widths = columns.indices.map { i in all.map { $0.count > i ? $0[i].count : 0 }.max() ?? 0 }
        return all.map { cells in
            var line = ""
            for (i, column) in columns.enumerated() {
                let cell = i < cells.count ? cells[i] : ""
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                if i > 0 { line += "  " }
                line += column.alignment == .right ? padding + cell : cell + padding
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    func print() { for line in lines { Output.line(line) } }
}
extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}

extension Substring {
    var trimmingTrailingSpaces: String { String(self).trimmingTrailingSpaces }
}
