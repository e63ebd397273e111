import Foundation
import VerdictCore

/// `verdict today --html`: the office's page for the day, to print and tick off. Values in
/// (`TodayPlan`, from Core), text out; nothing fetched.
public enum TodayPage {
    public static func render(_ plan: TodayPlan, business: String) -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Verdict \(VerdictVersion.current)">
            <title>\(escape(business)): today, \(escape(plan.date))</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>\(escape(business)): what to do today</h1>
            <p class="meta">\(escape(plan.weekday)) \(escape(plan.date))</p>

            """
        if plan.changes.isEmpty && plan.problems.isEmpty {
            html += "<p>No running change is carried out by people today.</p>\n"
        }
        for change in plan.changes {
            html += "<section aria-labelledby=\"\(slug(change.changeID))\">"
            html += "<h2 id=\"\(slug(change.changeID))\">\(escape(change.title)) <span class=\"id\">\(escape(change.changeID))</span></h2>"
            html += "<p class=\"task\">\(escape(change.words))</p>"
            if let list = change.list {
                let treated = list.rows.filter { $0.arm == "treatment" }
                html += "<table><caption>Do it for these \(treated.count)</caption><thead><tr><th scope=\"col\">Done</th>"
                for name in list.header { html += "<th scope=\"col\">\(escape(name))</th>" }
                html += "</tr></thead><tbody>"
                for row in treated {
                    html += "<tr><td class=\"box\" aria-label=\"not done yet\">☐</td>"
                    for index in list.header.indices { html += "<td>\(escape(index < row.cells.count ? row.cells[index] : ""))</td>" }
                    html += "</tr>"
                }
                html += "</tbody></table>"
                let others = list.rows.filter { $0.arm == "control" && !$0.key.isEmpty }.map(\.key)
                if !others.isEmpty { html += "<p class=\"others\">Not for: \(escape(others.joined(separator: "; "))).</p>" }
                html += "<p class=\"meta\">List \(list.listID.map(String.init) ?? "") of \(escape(list.source)), on the audit trail as <code>\(escape(String(list.digest.prefix(12))))</code>.</p>"
            }
            html += "</section>\n"
        }
        for problem in plan.problems {
            html += "<section class=\"problem\"><h2>\(escape(problem.changeID))</h2><p>\(escape(problem.message))</p></section>\n"
        }
        return html + "</body>\n</html>\n"
    }

    static let style = """
        body{font:16px/1.45 system-ui,sans-serif;color:#1c1f24;margin:2rem auto;max-width:60rem;padding:0 1rem}\
        h1{font-size:1.5rem;margin:0}h2{font-size:1.2rem;margin:1.5rem 0 .25rem}.id{color:#59606b;font-weight:normal;font-size:.9rem}\
        .meta{color:#59606b;margin:.25rem 0}.task{font-weight:600}table{border-collapse:collapse;width:100%}\
        caption{text-align:left;font-weight:600;padding:.25rem 0}th,td{border:1px solid #8a919c;padding:.3rem .5rem;text-align:left}\
        .box{font-size:1.3rem;text-align:center;width:3rem}.problem{border-left:4px solid #9b1c1c;padding-left:.75rem}\
        @media print{body{margin:0;max-width:none}section{break-inside:avoid}}
        """
}
