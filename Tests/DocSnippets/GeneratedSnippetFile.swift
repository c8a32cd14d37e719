import Foundation

/// The Swift files that hold every documentation snippet, written by `swift run doc-snippets`
/// and compiled by the DocSnippetTests target.
///
/// A block with an `import` line is a complete example, as a reader pastes it: it gets a file of
/// its own with exactly its own imports, so a missing import fails to compile here too. A block
/// without imports is a fragment: it goes into `Snippets.generated.swift`, which imports
/// CoachPersistence and Foundation, and it may use the names of `givens` without declaring them.
public enum GeneratedSnippetFile {
    /// The folder of the generated files, relative to the package root.
    public static let folder = "Tests/DocSnippetTests"

    /// The file of the fragments and of the registry of runnable snippets.
    public static let sharedFile = "Snippets.generated.swift"

    /// How generated files end: the generator owns every file of `folder` whose name ends so.
    public static let suffix = ".generated.swift"

    /// The command that rewrites the files, for messages.
    public static let regenerateCommand = "swift run doc-snippets"

    /// Modules that every fragment may use without importing them.
    static let fragmentModules = ["CoachPersistence", "Foundation"]

    /// Modules this package may import on every platform: a snippet importing another one (say
    /// SwiftUI) is compiled only where `canImport` finds it.
    static let everywhereModules: Set<String> = ["CoachPersistence", "Foundation", "Dispatch", "Synchronization"]

    /// Names that a fragment may use without declaring them, as an article's prose introduces
    /// them ("the store's directory"): the parameters of every fragment's function, and the
    /// properties of `DocSnippetGivens` with the same names.
    static let givens: [(name: String, type: String)] = [
        ("store", "any StateStore"), ("directory", "URL"), ("root", "URL"), ("otherStore", "FileStateStore"),
    ]

    /// The function (in DocSnippetTests) that a snippet's absolute path literal is passed through, so
    /// that a test can run it in a temporary folder instead of `/var/lib/coach`.
    static let pathFunction = "docSnippetPath"

    /// Every generated file for `snippets`, keyed by file name.
    public static func render(_ snippets: [DocSnippet]) -> [String: String] {
        var files: [String: String] = [:]
        let fragments = snippets.filter { $0.imports.isEmpty }
        let fragmentHeader = header(imports: fragmentModules.map(importLines).joined(separator: "\n"))
        files[sharedFile] = ([fragmentHeader] + fragments.map(section) + [registry(snippets)]).joined(separator: "\n")
        for snippet in snippets where !snippet.imports.isEmpty {
            let imports = snippet.importLines.joined(separator: "\n")
            let condition = platformCondition(snippet)
            files[ownFile(snippet)] = condition.isEmpty
                ? header(imports: imports) + "\n" + section(snippet)
                : header(imports: "#if \(condition)\n\(imports)") + "\n" + section(snippet) + "#endif\n"
        }
        return files
    }

    /// The file of a complete example: `Snippet_README_1.generated.swift`.
    static func ownFile(_ snippet: DocSnippet) -> String { snippet.identifier + suffix }

    /// What differs between the committed files (name → text, every `*.generated.swift` of
    /// `folder`) and the ones `snippets` give, one sentence per difference naming the block:
    /// empty when the committed files are up to date.
    public static func staleness(committed: [String: String], snippets: [DocSnippet]) -> [String] {
        let fix = "run `\(regenerateCommand)` and commit \(folder)"
        // Lines move when the prose around a block changes: that alone does not make the files
        // stale (the next `doc-snippets` run corrects the lines that diagnostics show).
        let old = withoutLineNumbers(committed)
        let new = withoutLineNumbers(render(snippets))
        guard old != new else { return [] }
        let oldUnits = units(of: old)
        let newUnits = units(of: new)
        var problems: [String] = []
        for snippet in snippets where oldUnits[mark(snippet)] != newUnits[mark(snippet)] {
            problems.append("\(snippet.location) changed, or is new, since \(folder) was generated")
        }
        for key in oldUnits.keys.sorted() where newUnits[key] == nil {
            problems.append("\(key.dropFirst(markPrefix.count)) is no longer in the docs")
        }
        if problems.isEmpty { problems.append("the generated files differ from what the docs give (header, registry or file names)") }
        return problems.map { "\($0): \(fix)." }
    }

    /// `files` without their `#sourceLocation(file:line:)` lines.
    private static func withoutLineNumbers(_ files: [String: String]) -> [String: String] {
        files.mapValues { text in
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(sourceLocationPrefix) }.joined(separator: "\n")
        }
    }

    /// Each snippet's text in `files`, keyed by its MARK line: its section of the shared file, or
    /// the whole file of a complete example (whose imports are part of it).
    private static func units(of files: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, text) in files {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if name != sharedFile, let key = lines.first(where: { $0.hasPrefix(markPrefix) }) {
                result[String(key)] = text
                continue
            }
            var key = ""
            for line in lines {
                if line.hasPrefix(markPrefix) { key = String(line) }
                if key.hasPrefix(markPrefix), key != registryMark { result[key, default: ""] += line + "\n" }
            }
        }
        return result
    }

    private static let markPrefix = "// MARK: - "
    private static let registryMark = markPrefix + "Registry"

    private static func mark(_ snippet: DocSnippet) -> String {
        // No line number here: editing the prose around a block does not make the files stale.
        "\(markPrefix)\(snippet.file), swift block \(snippet.ordinal)"
    }

    private static func header(imports: String) -> String {
        """
        // GENERATED by `\(regenerateCommand)` from the ```swift blocks of README.md and the DocC
        // articles. Do not edit: change the Markdown and run the command again.
        //
        // Compiling this file is the test that the docs compile; DocSnippetTests checks that it is
        // up to date and runs some of the blocks.

        \(imports)

        """
    }

    private static func importLines(_ module: String) -> String {
        everywhereModules.contains(module) ? "import \(module)" : "#if canImport(\(module))\nimport \(module)\n#endif"
    }

    private static func section(_ snippet: DocSnippet) -> String {
        var lines = [mark(snippet)]
        switch snippet.scope {
        case .file:
            lines += sourceLocation(snippet) + snippet.codeWithoutImports + ["#sourceLocation()"]
        case .function where snippet.imports.isEmpty:
            // A fragment: the givens are parameters, so its own declarations may shadow them.
            let parameters = givens.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
            let arguments = givens.map { "\($0.name): given.\($0.name)" }.joined(separator: ", ")
            lines += [
                "enum \(snippet.identifier) {",
                "    static func run() async throws {",
                "        let given = try DocSnippetGivens.required()",
                "        try await body(\(arguments))",
                "    }",
                "",
                "    private static func body(\(parameters)) async throws {",
            ]
            lines += body(snippet)
            lines += ["    }", "}"]
        case .function:
            // A complete example: nothing but its own code, so that it needs its own imports.
            lines += ["enum \(snippet.identifier) {", "    static func run() async throws {"]
            lines += body(snippet)
            lines += ["    }", "}"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The snippet's code, absolute paths redirected, then a read of each top-level name.
    private static func body(_ snippet: DocSnippet) -> [String] {
        sourceLocation(snippet) + snippet.codeWithoutImports.map(redirectingAbsolutePaths) + ["#sourceLocation()"]
            + snippet.topLevelNames.map { "        _ = \($0)" }
    }

    /// Makes the compiler report an error in a snippet at its line of the Markdown file
    /// (`README.md:29:59: error: cannot find 'URL' in scope`).
    private static func sourceLocation(_ snippet: DocSnippet) -> [String] {
        ["\(sourceLocationPrefix)\"\(snippet.file)\", line: \(snippet.line + 1))"]
    }

    private static let sourceLocationPrefix = "#sourceLocation(file: "

    /// `canImport(SwiftUI)` for a snippet that imports SwiftUI, `""` for one that needs nothing more.
    private static func platformCondition(_ snippet: DocSnippet) -> String {
        snippet.imports.filter { !everywhereModules.contains($0) }.map { "canImport(\($0))" }.joined(separator: " && ")
    }

    /// `URL(fileURLWithPath: "/var/lib/coach")` → `URL(fileURLWithPath: docSnippetPath("/var/lib/coach"))`:
    /// the snippet still names `URL`, so it still needs Foundation.
    public static func redirectingAbsolutePaths(_ line: String) -> String {
        let call = "URL(fileURLWithPath: "
        var result = ""
        var rest = Substring(line)
        while let start = rest.range(of: call + "\"/") {
            let literal = rest[start.lowerBound...].dropFirst(call.count)  // from the opening quote
            guard let close = literal.dropFirst().firstIndex(of: "\"") else { break }
            result += rest[..<start.lowerBound] + call + "\(pathFunction)(" + literal[...close] + ")"
            rest = literal[literal.index(after: close)...]
        }
        return result + rest
    }

    private static func registry(_ snippets: [DocSnippet]) -> String {
        // Appends rather than an array literal: `#if` may not stand inside a literal.
        let entries = snippets.filter { $0.scope == .function }.map { snippet in
            let entry = "    all.append(DocSnippetRunner(file: \"\(snippet.file)\", ordinal: \(snippet.ordinal), run: \(snippet.identifier).run))"
            let condition = platformCondition(snippet)
            return condition.isEmpty ? entry : "    #if \(condition)\n\(entry)\n    #endif"
        }
        let list = entries.isEmpty ? "[]" : "{\n    var all: [DocSnippetRunner] = []\n\(entries.joined(separator: "\n"))\n    return all\n}()"
        return """
            \(registryMark)

            /// Every snippet that is the body of a function, in the order of the files and blocks.
            let docSnippets: [DocSnippetRunner] = \(list)

            """
    }
}

extension GeneratedSnippetFile {
    /// Every `*.generated.swift` file of `folder` in the package at `root`, keyed by file name.
    public static func committedFiles(inPackage root: URL) throws -> [String: String] {
        let directory = root.appendingPathComponent(folder)
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(suffix) {
            files[name] = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        return files
    }

    /// Writes `files` into `folder` and removes the generated files that are not among them.
    public static func write(_ files: [String: String], inPackage root: URL) throws {
        let directory = root.appendingPathComponent(folder)
        for name in try committedFiles(inPackage: root).keys where files[name] == nil {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }
}
