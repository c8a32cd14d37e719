import Foundation

/// What the numbers were measured on.
struct Machine: Codable {
    var cpu: String
    var cores: Int
    var memoryGiB: Double
    var kernel: String
    /// The file system of the temp dir, where every store and baseline file lives.
    var tempFileSystem: String

    static func current(tempDirectory: String) -> Machine {
        Machine(
            cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
            kernel: read("/proc/sys/kernel/osrelease") ?? ProcessInfo.processInfo.operatingSystemVersionString,
            tempFileSystem: fileSystem(of: tempDirectory))
    }

    var summary: String {
        "\(cpu), \(cores) cores, \(memoryGiB) GiB, Linux \(kernel), temp dir on \(tempFileSystem)"
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func cpuModel() -> String {
        let info = read("/proc/cpuinfo") ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }

    /// The type and device of the mount holding `path` (the longest matching mount point).
    private static func fileSystem(of path: String) -> String {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best = (point: "", text: "unknown")
        for line in (read("/proc/mounts") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = String(fields[1])
            let covers = resolved == point || resolved.hasPrefix(point == "/" ? "/" : point + "/")
            if covers && point.count > best.point.count { best = (point, "\(fields[2]) (\(fields[0]) on \(point))") }
        }
        return best.text
    }
}
