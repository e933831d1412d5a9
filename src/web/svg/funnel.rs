//! The referral funnel as a horizontal bar chart: how many referrals reached each stage.

use std::fmt::Write;

use super::{escape, num};

const WIDTH: f64 = 460.0;
const LABEL: f64 = 110.0;
const BAR: f64 = 24.0;
const GAP: f64 = 12.0;

/// One bar: the stage's name, its count, and whether it is the "done well" bar.
pub struct Stage {
    /// The stage, as shown.
    pub label: &'static str,
    /// The `data-stage` key, for tests and scripts.
    pub key: &'static str,
    /// How many referrals reached it.
    pub count: i64,
}

/// Draws the stages as bars scaled to the largest count.
pub fn funnel_svg(stages: &[Stage]) -> String {
    let height = (BAR + GAP) * stages.len() as f64 + GAP;
    let max = stages.iter().map(|s| s.count).max().unwrap_or(0).max(1) as f64;
    let room = WIDTH - LABEL - 50.0;
    let title = stages
        .iter()
        .map(|s| format!("{} {}", s.count, s.label.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="funnel" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="funnel-title"><title id="funnel-title">Referral funnel: {title}</title>"#,
        w = num(WIDTH),
        h = num(height),
        title = escape(&title),
    );
    for (i, stage) in stages.iter().enumerate() {
        let y = GAP + (BAR + GAP) * i as f64;
        // A stage with referrals always shows a sliver, so 1 of 500 is still visible.
        let length = if stage.count > 0 {
            (room * stage.count as f64 / max).max(3.0)
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r#"<g class="fn-stage fn-{key}" data-stage="{key}"><text class="fn-label" x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect class="fn-track" x="{bx}" y="{y}" width="{room}" height="{bar}" rx="4"/><rect class="fn-bar" x="{bx}" y="{y}" width="{len}" height="{bar}" rx="4"/><text class="fn-count" x="{cx}" y="{ty}">{count}</text></g>"#,
            key = stage.key,
            lx = num(LABEL - 10.0),
            ty = num(y + BAR / 2.0 + 5.0),
            label = escape(stage.label),
            bx = num(LABEL),
            y = num(y),
            room = num(room),
            bar = num(BAR),
            len = num(length),
            cx = num(LABEL + length + 8.0),
            count = stage.count,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_stage_and_show_their_counts() {
        let svg = funnel_svg(&[
            Stage {
                label: "Sent",
                key: "sent",
                count: 4,
            },
            Stage {
                label: "Accepted",
                key: "accepted",
                count: 2,
            },
            Stage {
                label: "Hired",
                key: "hired",
                count: 0,
            },
        ]);
        // 460 wide, 110 for labels, 50 for the counts: 300 for the longest bar.
        assert!(svg.contains(r#"width="300" height="24" rx="4"/><text class="fn-count" x="418""#));
        assert!(svg.contains(r#"<rect class="fn-bar" x="110" y="48" width="150""#));
        assert!(svg.contains("Referral funnel: 4 sent, 2 accepted, 0 hired"));
    }
}
