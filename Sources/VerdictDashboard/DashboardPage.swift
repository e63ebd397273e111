import Foundation
import VerdictCore

/// The daily dashboard as one self-contained HTML page: values in (`Dashboard`, computed in
/// Core), text out. Inline CSS and SVG, a little plain JavaScript for the filters, nothing
/// fetched: the page opens from `file://` offline, prints, and reads without colour.
///
/// Filters live in the URL's fragment (`#change=CHG-0101&cohort=returning&state=running&history=won`),
/// so a filtered view can be bookmarked and shared.
public enum DashboardPage {
    /// The page. `live` is `verdict serve`'s: it adds a sign-in for an admin token (kept in the
    /// tab's session storage, sent only as an `Authorization` header) and, per change, a form
    /// to record a decision through the server's decision endpoint, as `verdict decide` does.
    public static func render(_ dashboard: Dashboard, live: Bool = false) -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Verdict \(VerdictVersion.current)">
            \(live ? "<link rel=\"icon\" href=\"data:,\">" : "")
            <title>\(escape(dashboard.business)): changes on \(escape(dashboard.date))</title>
            <style>\(style)</style>
            </head>
            <body>
            <svg width="0" height="0" aria-hidden="true" focusable="false" style="position:absolute"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#59606b" stroke-width="3"/></pattern></defs></svg>
            <header class="top">
            <h1>\(escape(dashboard.business))</h1>
            <p class="meta">Changes on <strong>\(escape(dashboard.date))</strong> · refreshed <time>\(escape(dashboard.refreshedAt))</time> · audit trail head <code id="audit-head">\(escape(dashboard.auditHead ?? "empty"))</code></p>
            </header>
            <main>

            """
        html += impact(dashboard.impact)
        if live { html += signIn }
        html += filters(dashboard)
        html += chips(dashboard.changes)
        if !dashboard.failures.isEmpty {
            html += "<section class=\"failures\" aria-label=\"Experiments that could not be shown\"><h2>Could not be shown</h2><ul>"
            for failure in dashboard.failures { html += "<li><strong>\(escape(failure.changeID))</strong>: \(escape(failure.message))</li>" }
            html += "</ul></section>\n"
        }
        html += "<p id=\"empty\" class=\"empty\" hidden>No change matches these filters.</p>\n"
        if dashboard.changes.isEmpty {
            html += "<p class=\"empty\">No change has started yet: <code>verdict start NAME</code> starts one.</p>\n"
        }
        for change in dashboard.changes { html += panel(change, live: live) }
        html += history(dashboard.changes)
        html += """
            </main>
            <footer><p>Made by Verdict \(VerdictVersion.current) from the store as of \(escape(dashboard.refreshedAt)). Each figure is the one <code>verdict report</code> gives; check this page against the trail with <code>verdict audit verify --head \(escape(dashboard.auditHead ?? ""))</code>.</p></footer>
            <script>\(script)</script>\(live ? "\n<script>\(decideScript)</script>" : "")
            </body>
            </html>

            """
        return html
    }

    // MARK: - Parts

    static func impact(_ impact: Dashboard.Impact) -> String {
        var html = "<section class=\"impact\" aria-labelledby=\"impact-title\"><h2 id=\"impact-title\">Direct-to-consumer jobs, \(escape(impact.week))</h2>"
        html += "<p class=\"note\">Against the week before (\(escape(impact.before))), every job of the business; 95% intervals.</p><div class=\"cards\">"
        for metric in impact.metrics {
            html += "<div class=\"card\" data-metric=\"\(escape(metric.name))\" data-week=\"\(dataNumber(metric.week))\" data-before=\"\(dataNumber(metric.before))\">"
            html += "<h3>\(escape(metric.name))</h3><p class=\"big\">\(escape(metric.weekText))</p>"
            html += "<p>week before: \(escape(metric.beforeText))</p><p class=\"change\">\(escape(metric.changeText))</p>"
            html += Charts.interval(metric.change, metric.low, metric.high, label: "\(metric.name): \(metric.changeText)")
            html += "</div>"
        }
        html += "</div>"
        html += "<p class=\"note\">Running during the week: \(impact.running.isEmpty ? "no change" : impact.running.map(escape).joined(separator: "; ")).</p>"
        return html + "</section>\n"
    }

    static func filters(_ dashboard: Dashboard) -> String {
        func select(_ id: String, _ label: String, _ options: [(String, String)]) -> String {
            var html = "<label for=\"f-\(id)\">\(label)</label><select id=\"f-\(id)\" data-filter=\"\(id)\"><option value=\"\">all</option>"
            for (value, text) in options { html += "<option value=\"\(escape(value))\">\(escape(text))</option>" }
            return html + "</select>"
        }
        let states = ExperimentState.allCases.filter { $0 != .drafted }
        var html = "<nav class=\"filters\" aria-label=\"Filters\">"
        html += select("change", "Change", dashboard.changes.map { ($0.status.changeID, "\($0.status.changeID) \($0.status.title)") })
        html += select("cohort", "Cohort", dashboard.cohorts.map { ($0, $0) })
        html += select("state", "State", states.map { ($0.rawValue, $0.description) })
        html += "<button type=\"button\" class=\"reset\">Show everything</button>"
        return html + "</nav>\n"
    }

    static let shapes: [Dashboard.Chip.Tone: String] = [
        .running: "▶", .throttled: "▲", .pass: "✔", .fail: "✖", .inconclusive: "?", .rolledBack: "↺",
    ]

    static func chips(_ changes: [Dashboard.Change]) -> String {
        var html = "<section class=\"glance\" aria-label=\"Every change at a glance\"><ul class=\"chips\">"
        for change in changes {
            let chip = change.chip
            html += "<li class=\"chip tone-\(chip.tone.rawValue)\" \(attributes(change))>"
            html += "<a href=\"#change-\(slug(change.status.changeID))\"><span class=\"shape\" aria-hidden=\"true\">\(shapes[chip.tone]!)</span>"
            html += "<span class=\"id\">\(escape(change.status.changeID))</span> <span class=\"title\">\(escape(change.status.title))</span> "
            html += "<span class=\"label\">\(escape(chip.label))</span>"
            if let detail = chip.detail { html += " <span class=\"detail\">\(escape(detail))</span>" }
            html += "</a></li>"
        }
        return html + "</ul></section>\n"
    }

    /// The attributes the filters read.
    static func attributes(_ change: Dashboard.Change) -> String {
        "data-change=\"\(escape(change.status.changeID))\" data-state=\"\(escape(change.status.state.rawValue))\" data-cohorts=\"\(escape(change.cohorts.joined(separator: " ")))\""
    }

    static func panel(_ change: Dashboard.Change, live: Bool = false) -> String {
        let s = change.status
        let id = "change-\(slug(s.changeID))"
        var html = "<article class=\"change\" id=\"\(id)\" \(attributes(change)) aria-labelledby=\"\(id)-title\">"
        html += "<header><h2 id=\"\(id)-title\"><span class=\"chip tone-\(change.chip.tone.rawValue)\"><span class=\"shape\" aria-hidden=\"true\">\(shapes[change.chip.tone]!)</span> \(escape(change.chip.label))\(change.chip.detail.map { " · " + escape($0) } ?? "")</span> \(escape(s.changeID)) \(escape(s.title))</h2>"
        html += "<p class=\"meta\">\(escape(s.state.description)) · window \(escape(s.windowStart)) to \(escape(s.windowEnd)) · \(escape(change.design))"
        if let flag = s.flag { html += " · flag <code>\(escape(flag.key))</code> \(escape(flag.state.rawValue.replacingOccurrences(of: "_", with: " "))) at \(escape(FigureText.percent(flag.share, trimmed: true)))" }
        html += " · seal <code>\(escape(String(s.seal.prefix(12))))</code></p></header>"
        html += "<p class=\"hypothesis\"><strong>Hypothesis.</strong> \(escape(change.hypothesis))</p>"
        html += "<p class=\"rule\"><strong>Rule, sealed at the start.</strong> \(escape(change.rule))."
        if !change.limits.isEmpty { html += " Guardrails: \(change.limits.map(escape).joined(separator: "; "))." }
        html += "</p>"
        for warning in change.warnings { html += "<p class=\"warning\" role=\"note\"><span aria-hidden=\"true\">⚠ </span><strong>Warning.</strong> \(escape(warning))</p>" }
        html += verdict(change)
        html += figures(change)
        let windowDays = days(from: s.windowStart, count: s.windowDays)
        if let primary = change.primary {
            html += "<figure><figcaption><strong>\(escape(primary.kpi))</strong> (primary) per day · \(legend(primary))</figcaption>"
            html += Charts.primary(primary, windowDays: windowDays) + "</figure>"
        }
        if let leading = change.leading {
            html += "<figure><figcaption><strong>\(escape(leading.kpi))</strong> (leading indicator) per day · <span class=\"key control\">▨ control</span> <span class=\"key treatment\">■ treatment</span></figcaption>"
            html += Charts.leading(leading, windowDays: windowDays) + "</figure>"
        }
        if !change.guardrails.isEmpty {
            html += "<div class=\"guardrails\"><h3>Guardrails against their limits</h3><ul>"
            for g in change.guardrails {
                let state = g.holds == true ? "✔ holds" : (g.holds == false ? "✖ past its limit" : "? cannot tell yet")
                html += "<li class=\"\(g.holds == false ? "bad" : "")\"><span>\(escape(g.kpi)): \(escape(g.text)) · <strong>\(state)</strong></span>\(Charts.guardrail(g))</li>"
            }
            html += "</ul></div>"
        }
        html += "<div class=\"safety\"><h3>Safety checks and flag changes</h3>"
        html += Charts.timeline(change.timeline, windowDays: s.windowDays)
        html += "<ul class=\"marks\">" + change.timeline.map { "<li class=\"mark-\($0.kind.rawValue)\">\(escape($0.text))</li>" }.joined() + "</ul></div>"
        html += "<div class=\"decision\"><h3>The owner's decision</h3>"
        if change.decisions.isEmpty {
            html += "<p>None yet. \(escape(s.next.prefix(1).uppercased() + s.next.dropFirst())).</p>"
        } else {
            html += "<ul>" + change.decisions.map { d in
                "<li><strong>\(escape(d.decision))</strong>\(d.early ? " (early)" : "") by \(escape(d.actor)) at \(escape(d.at))\(d.note.isEmpty ? "" : ": “\(escape(d.note))”")</li>"
            }.joined() + "</ul>"
        }
        if live && !change.choices.decisions.isEmpty { html += decideForm(change) }
        html += "</div>"
        html += "<details class=\"audit\"><summary>Audit records of \(escape(s.changeID)) (\(change.audit.count))</summary><table><thead><tr><th scope=\"col\">seq</th><th scope=\"col\">at (UTC)</th><th scope=\"col\">actor</th><th scope=\"col\">what</th><th scope=\"col\">hash</th></tr></thead><tbody>"
        for line in change.audit {
            html += "<tr><td>\(line.seq)</td><td>\(escape(line.at))</td><td>\(escape(line.actor))</td><td>\(escape(line.summary))</td><td><code>\(escape(String(line.hash.prefix(12))))</code></td></tr>"
        }
        html += "</tbody></table></details>"
        return html + "</article>\n"
    }

    static func legend(_ series: Dashboard.Series) -> String {
        var parts = ["<span class=\"key control\">● control</span>", "<span class=\"key treatment\">■ treatment</span>"]
        if let c = series.control, let t = series.treatment {
            parts.append("so far (band, 95%): control \(escape(c.text)), treatment \(escape(t.text))")
        }
        return parts.joined(separator: " ")
    }

    static func verdict(_ change: Dashboard.Change) -> String {
        guard let v = change.verdict else { return "" }
        var html = "<div class=\"verdict\" data-outcome=\"\(escape(v.outcome))\" data-recorded=\"\(v.recorded)\"><h3>"
        html += v.recorded ? "Verdict: \(escape(v.outcome.uppercased()))" : "So far: \(escape(v.outcome)) (not a verdict until the window ends)"
        html += "</h3><p>\(escape(v.primary)) \(escape(v.changeText)) (95% interval), "
        html += "\(v.controlN) control and \(v.treatmentN) treatment, smallest detectable change \(v.mde.map { FigureText.percent($0) } ?? "unknown"); "
        html += "\(escape(v.window))\(v.recordedAt.map { ", recorded \(escape($0))" } ?? "").</p>"
        html += "<p class=\"reason\">\(escape(v.reason))</p>"
        html += "<p class=\"recommendation\"><strong>Recommendation: \(escape(v.recommendation)).</strong> \(escape(v.recommendationReason))</p>"
        for line in change.outcomes { html += "<p class=\"outcome\">\(escape(line))</p>" }
        return html + "</div>"
    }

    /// The KPI figures, for every customer and for each declared cohort; the cohort filter
    /// shows one set.
    static func figures(_ change: Dashboard.Change) -> String {
        var html = ""
        for set in change.figures {
            html += "<table class=\"figures\" data-cohort=\"\(escape(set.cohorts.joined(separator: " ")))\"><caption>Figures over the window, \(escape(set.caption))</caption>"
            html += "<thead><tr><th scope=\"col\">KPI</th><th scope=\"col\">control</th><th scope=\"col\">treatment</th><th scope=\"col\">change (95% interval)</th><th scope=\"col\">p</th></tr></thead><tbody>"
            for row in set.rows {
                html += "<tr data-kpi=\"\(escape(row.kpi))\" data-role=\"\(escape(row.role))\" data-control=\"\(dataNumber(row.control))\" data-treatment=\"\(dataNumber(row.treatment))\" data-control-n=\"\(row.controlN)\" data-treatment-n=\"\(row.treatmentN)\" data-relative=\"\(dataNumber(row.relative))\">"
                html += "<th scope=\"row\">\(escape(row.kpi)) <small>\(escape(row.role))</small></th>"
                html += "<td>\(escape(row.controlText)) <small>n \(row.controlN)</small></td>"
                html += "<td>\(escape(row.treatmentText)) <small>n \(row.treatmentN)</small></td>"
                html += "<td>\(escape(row.changeText))</td><td>\(row.pValue.map { FigureText.number($0, digits: 3) } ?? "n/a")</td></tr>"
            }
            html += "</tbody></table>"
        }
        return html
    }

    static func history(_ changes: [Dashboard.Change]) -> String {
        let decided = changes.filter { $0.outcome != nil }
        var html = "<section class=\"history\" aria-labelledby=\"history-title\"><h2 id=\"history-title\">Decided changes</h2>"
        html += "<div class=\"outcomes\" role=\"group\" aria-label=\"Show decided changes that\">"
        for (value, text) in [("", "all"), ("won", "won"), ("lost", "lost"), ("inconclusive", "inconclusive")] {
            html += "<button type=\"button\" class=\"outcome-filter\" data-history=\"\(value)\" aria-pressed=\"false\">\(text)</button> "
        }
        html += "</div>"
        if decided.isEmpty { return html + "<p>No change has been decided yet.</p></section>\n" }
        html += "<table><thead><tr><th scope=\"col\">change</th><th scope=\"col\">outcome</th><th scope=\"col\">verdict</th><th scope=\"col\">decision</th><th scope=\"col\">primary change (95%)</th></tr></thead><tbody>"
        let marks: [Dashboard.Outcome: String] = [.won: "✔ won", .lost: "✖ lost", .inconclusive: "? inconclusive"]
        for change in decided {
            let v = change.verdict
            let primary = v?.changeText ?? "n/a"
            html += "<tr class=\"decided\" data-outcome=\"\(change.outcome!.rawValue)\" \(attributes(change))><th scope=\"row\"><a href=\"#change-\(slug(change.status.changeID))\">\(escape(change.status.changeID))</a> \(escape(change.status.title))</th>"
            html += "<td>\(marks[change.outcome!]!)</td><td>\(escape(v?.recorded == true ? v!.outcome : "none"))</td><td>\(escape(change.decisions.last?.decision ?? change.status.state.rawValue))</td><td>\(escape(primary))</td></tr>"
        }
        return html + "</tbody></table></section>\n"
    }

    /// The window's local days, `count` from `start`.
    static func days(from start: String, count: Int) -> [String] {
        guard let first = LocalDay(start) else { return [] }
        return (0..<max(count, 1)).map { LocalDay(number: first.number + Int32($0)).description }
    }

    // MARK: - Style and script

    static let style = """
        :root{--ink:#1b1f24;--muted:#4a5361;--line:#c9ced6;--bg:#fff;--control:#59606b;--treatment:#1f5fbf;--good:#0b5d1e;--good-bg:#e3f3e7;--bad:#8a1c1c;--bad-bg:#fbe4e4;--warn:#6b4500;--warn-bg:#fff0cc;--info:#0b3d7a;--info-bg:#e4eefb;--neutral-bg:#eceef2}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
        header.top,main,footer{max-width:980px;margin:0 auto;padding:0 16px}header.top h1{margin:16px 0 0;font-size:1.6rem}.meta{color:var(--muted);margin:4px 0}
        code{font:0.85em ui-monospace,"DejaVu Sans Mono",monospace;word-break:break-all}h2{font-size:1.2rem;margin:0 0 6px}h3{font-size:1rem;margin:14px 0 6px}
        .impact{border:1px solid var(--line);border-radius:8px;padding:12px;margin:12px 0}.cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1 1 200px;border-left:4px solid var(--treatment);padding:4px 10px}
        .card h3{margin:0;font-size:.95rem;color:var(--muted)}.card p{margin:2px 0}.big{font-size:1.5rem;font-weight:700}.note{color:var(--muted);font-size:.9rem;margin:4px 0}
        .filters{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:12px 0}.filters select{font:inherit;padding:2px 4px}.filters .reset{margin-left:auto}
        a{color:#0b4ea2}.chips{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:8px}
        .chip{display:inline-block;border:2px solid currentColor;border-radius:999px;padding:3px 10px;font-size:.9rem}.chip a{color:inherit;text-decoration:none}.chip .shape{font-weight:700;margin-right:4px}.chip .id{font-weight:700}.chip .label{font-weight:700;text-transform:none}.chip .detail{font-style:italic}
        .tone-pass{color:var(--good);background:var(--good-bg)}.tone-fail,.tone-rolled_back{color:var(--bad);background:var(--bad-bg)}.tone-inconclusive{color:#333a45;background:var(--neutral-bg);border-style:dashed}.tone-running{color:var(--info);background:var(--info-bg)}.tone-throttled{color:var(--warn);background:var(--warn-bg);border-style:double;border-width:3px}
        article.change{border:1px solid var(--line);border-radius:8px;padding:12px;margin:16px 0;break-inside:avoid-page}article.change h2 .chip{font-size:.85rem;vertical-align:middle}
        .warning{background:var(--warn-bg);color:var(--warn);padding:6px 10px;border-radius:6px}.verdict{border-left:4px solid var(--ink);padding:2px 12px;margin:10px 0}.verdict p{margin:4px 0}.reason{color:var(--muted);font-size:.9rem}
        table{border-collapse:collapse;width:100%;margin:8px 0;font-size:.9rem}caption{text-align:left;color:var(--muted);font-size:.85rem}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}thead th{font-weight:600}small{color:var(--muted)}
        figure{margin:10px 0}figcaption{font-size:.9rem;color:var(--muted)}.key.control{color:var(--control)}.key.treatment{color:var(--treatment)}
        svg{display:block;width:100%;height:auto}svg.guard{max-width:320px}svg.mini{max-width:200px}.grid{stroke:#e3e6ea}.tick{font-size:10px;fill:var(--muted)}.axis{stroke:var(--muted)}.zero{stroke:var(--ink);stroke-dasharray:2 2}
        .band.control{fill:var(--control);opacity:.14}.band.treatment{fill:var(--treatment);opacity:.16}.estimate{stroke-width:1.5;stroke-dasharray:6 3}.estimate.control{stroke:var(--control)}.estimate.treatment{stroke:var(--treatment)}
        .line{fill:none;stroke-width:1.5}.line.control{stroke:var(--control)}.line.treatment{stroke:var(--treatment)}.dot.control{fill:#fff;stroke:var(--control);stroke-width:2}.dot.treatment{fill:var(--treatment)}
        .bar.control{fill:url(#hatch);stroke:var(--control)}.bar.treatment{fill:var(--treatment)}.limit{stroke:var(--bad);stroke-width:2;stroke-dasharray:4 2}.interval{stroke:var(--ink);stroke-width:3}.interval.bad{stroke:var(--bad)}.point{fill:var(--ink)}
        .guardrails ul,.decision ul{padding-left:18px}.guardrails li{margin:4px 0}.guardrails li.bad{color:var(--bad)}
        .mark.ok{fill:var(--good)}.mark.scheduled{fill:#fff;stroke:var(--muted);stroke-width:2}.mark.overtaken{fill:#8a919c}.mark.breach{fill:var(--bad)}.mark.throttle{fill:var(--warn)}.mark.rollback{stroke:var(--bad);stroke-width:3}.mark.keep{fill:var(--good)}
        .marks{font-size:.85rem;color:var(--muted);padding-left:18px}.history{margin:24px 0}button{font:inherit;background:#fff;border:1px solid var(--line);border-radius:6px;padding:2px 10px;color:var(--ink);cursor:pointer}.outcomes button[aria-pressed=true]{font-weight:700;border-color:var(--ink)}.empty{color:var(--muted)}
        footer{color:var(--muted);font-size:.85rem;margin-top:24px;padding-bottom:24px}.failures{color:var(--bad)}
        .signin{margin:12px 0}.signin input{font:inherit;padding:2px 6px}form.decide fieldset{border:1px solid var(--line);border-radius:6px;margin-top:8px}form.decide input,form.decide select{font:inherit}.result.error{color:var(--bad);font-weight:600}.result.ok{color:var(--good);font-weight:600}
        @media print{.filters,.outcomes,.signin,form.decide{display:none}body{font-size:11pt}article.change{border:none;border-top:1px solid #999;border-radius:0}details.audit{display:block}details.audit>*{display:block}a{color:inherit;text-decoration:none}}
        """

    /// The filters: read the fragment, show what matches, keep the fragment and the controls
    /// in step. No request, no storage.
    static let script = """
        (function(){
        'use strict';
        var keys=['change','cohort','state','history'];
        function dec(t){try{return decodeURIComponent(t);}catch(e){return t;}}
        function read(){var f={};var h=location.hash.replace(/^#/,'');h.split('&').forEach(function(p){if(!p)return;var i=p.indexOf('=');var k=dec(i<0?p:p.slice(0,i));var v=i<0?'':dec(p.slice(i+1));if(keys.indexOf(k)>=0&&v)f[k]=v;});return f;}
        function write(f){var parts=keys.filter(function(k){return f[k];}).map(function(k){return k+'='+encodeURIComponent(f[k]);});var h=parts.length?'#'+parts.join('&'):'';if(location.hash!==h){history.replaceState(null,'',h||location.pathname+location.search);}apply(f);}
        function matches(el,f){if(f.change&&el.getAttribute('data-change')!==f.change)return false;if(f.state&&el.getAttribute('data-state')!==f.state)return false;if(f.cohort&&(' '+el.getAttribute('data-cohorts')+' ').indexOf(' '+f.cohort+' ')<0)return false;return true;}
        function apply(f){
        var shown=0;
        document.querySelectorAll('article.change,li.chip').forEach(function(el){var ok=matches(el,f);el.hidden=!ok;if(ok&&el.tagName==='ARTICLE')shown++;});
        document.querySelectorAll('table.figures').forEach(function(t){var c=(' '+t.getAttribute('data-cohort')+' ');t.hidden=c.indexOf(' '+(f.cohort||'all')+' ')<0;});
        document.querySelectorAll('tr.decided').forEach(function(r){r.hidden=!matches(r,f)||(f.history&&r.getAttribute('data-outcome')!==f.history);});
        document.querySelectorAll('button.outcome-filter').forEach(function(b){b.setAttribute('aria-pressed',(b.getAttribute('data-history')||'')===(f.history||'')?'true':'false');});
        document.querySelectorAll('select[data-filter]').forEach(function(s){var k=s.getAttribute('data-filter');s.value=f[k]||'';});
        var empty=document.getElementById('empty');if(empty)empty.hidden=shown>0||document.querySelectorAll('article.change').length===0;
        }
        document.querySelectorAll('select[data-filter]').forEach(function(s){s.addEventListener('change',function(){var f=read();f[s.getAttribute('data-filter')]=s.value;write(f);});});
        document.querySelectorAll('button.outcome-filter').forEach(function(b){b.addEventListener('click',function(){var f=read();f.history=b.getAttribute('data-history');write(f);});});
        document.querySelectorAll('li.chip a,tr.decided a').forEach(function(a){a.addEventListener('click',function(e){e.preventDefault();var f=read();f.change=a.closest('[data-change]').getAttribute('data-change');write(f);});});
        var reset=document.querySelector('button.reset');if(reset)reset.addEventListener('click',function(){write({});});
        window.addEventListener('hashchange',function(){apply(read());});
        apply(read());
        })();
        """

    // MARK: - Deciding from the live page

    /// The sign-in bar: an admin token, kept for this tab only, never in the address.
    static let signIn = """
        <section class="signin" aria-label="Sign in to decide"><form id="signin" autocomplete="off"><label for="admin-token">Admin token</label> <input id="admin-token" type="password" autocomplete="off" spellcheck="false" placeholder="vdt_…"> <button type="submit">Sign in to decide</button></form><p id="signed-in" hidden>Signed in to record decisions. <button type="button" id="signout">Sign out</button></p></section>

        """

    /// A change's decision form: the decisions its state allows, a note, the server's answer.
    static func decideForm(_ change: Dashboard.Change) -> String {
        let id = slug(change.status.changeID)
        var html = "<form class=\"decide\" hidden data-change=\"\(escape(change.status.changeID))\" data-early=\"\(change.choices.early)\">"
        html += "<fieldset><legend>Record your decision on \(escape(change.status.changeID))</legend>"
        html += "<label for=\"decision-\(id)\">Decision</label> <select id=\"decision-\(id)\" name=\"decision\">"
        for decision in change.choices.decisions { html += "<option value=\"\(decision)\">\(decision)</option>" }
        html += "</select> <label for=\"note-\(id)\">Note\(change.choices.noteNeeded ? " (needed)" : "")</label> "
        html += "<input id=\"note-\(id)\" name=\"note\" type=\"text\" size=\"40\"\(change.choices.noteNeeded ? " required" : "")> "
        html += "<button type=\"submit\">Record</button>"
        if change.choices.early { html += "<p class=\"note\">The window is still open: this decision is early, and needs a note.</p>" }
        html += "<p class=\"result\" role=\"status\" aria-live=\"polite\"></p></fieldset></form>"
        return html
    }

    static let decideScript = """
        (function () {
          var slot = "verdict-admin-token";
          function token() { return sessionStorage.getItem(slot); }
          function show() {
            var signed = !!token();
            document.getElementById("signin").hidden = signed;
            document.getElementById("signed-in").hidden = !signed;
            document.querySelectorAll("form.decide").forEach(function (form) { form.hidden = !signed; });
          }
          document.getElementById("signin").addEventListener("submit", function (event) {
            event.preventDefault();
            var field = document.getElementById("admin-token");
            if (field.value.trim()) { sessionStorage.setItem(slot, field.value.trim()); }
            field.value = "";
            show();
          });
          document.getElementById("signout").addEventListener("click", function () { sessionStorage.removeItem(slot); show(); });
          document.querySelectorAll("form.decide").forEach(function (form) {
            form.addEventListener("submit", function (event) {
              event.preventDefault();
              var out = form.querySelector(".result");
              out.textContent = "Recording…";
              fetch("/v1/experiments/" + encodeURIComponent(form.dataset.change) + "/decision", {
                method: "POST",
                headers: { "Authorization": "Bearer " + token(), "Content-Type": "application/json" },
                body: JSON.stringify({ decision: form.decision.value, note: form.note.value, early: form.dataset.early === "true" })
              }).then(function (response) {
                return response.json().then(function (body) { return { ok: response.ok, body: body }; });
              }).then(function (answer) {
                if (answer.ok) {
                  out.className = "result ok";
                  out.textContent = "Recorded: " + answer.body.status.change_id + " is now " + answer.body.status.state.replace("_", " ") + ".";
                  setTimeout(function () { location.reload(); }, 1500);
                } else {
                  out.className = "result error";
                  out.textContent = "Not recorded: " + (answer.body.error || "the server refused it") + ".";
                }
              }).catch(function (error) {
                out.className = "result error";
                out.textContent = "Not recorded: the server could not be reached (" + error + ").";
              });
            });
          });
          show();
        })();
        """
}
