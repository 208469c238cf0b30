//! The ledger: one row per message with the engine's counters and verdict, a summary, and for the
//! selected message the chain of events that caused its verdict, in words.

use std::rc::Rc;

use delivery_lab::{Ledger, MessageRow, MsgId, Verdict, World};
use yew::prelude::*;

use crate::lab::Action;

/// The ledger, and the cause chain of the selected message in words, built once per engine step
/// (or selection change). Only the selected row's chain is described: it is all the page shows.
#[derive(Debug, PartialEq)]
pub struct LedgerData {
    pub ledger: Rc<Ledger>,
    pub causes: Vec<String>,
}

impl LedgerData {
    /// `ledger` is the world's (`Lab::ledger`, built once per revision).
    pub fn new(world: &World, ledger: Rc<Ledger>, selected: Option<MsgId>) -> LedgerData {
        let events = world.events();
        let causes = selected
            .and_then(|msg| ledger.rows.iter().find(|row| row.msg == msg))
            .map(|row| {
                row.cause
                    .iter()
                    .filter_map(|id| events.get(id.0 as usize))
                    .map(|event| event.describe())
                    .collect()
            })
            .unwrap_or_default();
        LedgerData { ledger, causes }
    }
}

/// A verdict's mark: a shape and a word, so that no verdict is told by colour alone.
pub(crate) fn verdict_mark(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::DeliveredOnce => ("✓", "ok"),
        Verdict::Lost => ("✕", "bad"),
        Verdict::FailedAndReported => ("!", "warn"),
        Verdict::Duplicated => ("‼", "bad"),
        Verdict::Reordered => ("⇅", "bad"),
        Verdict::DuplicateInLogVisibleOnce => ("≈", "ok"),
        Verdict::ProcessedTwiceEffectOnce => ("≈", "ok"),
        Verdict::AbortedInvisible => ("∅", "ok"),
        Verdict::AbortedButSeen => ("⚠", "bad"),
        Verdict::Ambiguous => ("◐", "warn"),
        Verdict::Delayed => ("…", "warn"),
        Verdict::Pending => ("·", "pending"),
        Verdict::Unfinished => ("?", "warn"),
    }
}

/// Ledgers longer than this render only the rows near the scroll position.
const VIRTUALIZE_ABOVE: usize = 60;
/// How many rows a long ledger renders, and how many of them sit above the first visible one.
const WINDOW_ROWS: usize = 30;
const WINDOW_MARGIN: usize = 8;
/// The height of a ledger row in a long ledger, in CSS pixels (fixed in static/css/07-ledger.css).
const ROW_PX: f64 = 38.0;

pub struct LedgerProps {
    pub data: Rc<LedgerData>,
    /// The selected row's explanation (the worker writes it) and whether it is of this step
    /// (while the run plays it may be a step behind); `None` until it comes.
    pub explanation: Option<(String, bool)>,
    pub selected: Option<MsgId>,
    pub dispatch: Callback<Action>,
    /// A long ledger's first row in view (the app keeps it), and where its scrolling goes.
    pub first_visible: usize,
    pub on_scroll: Callback<usize>,
}

/// The ledger: a function of the app, not a component (its data changes at every engine step, so
/// memoised props would save nothing; one component less in the page).
pub fn ledger_view(props: &LedgerProps) -> Html {
    let ledger = &props.data.ledger;
    // A long ledger shows only the rows near its scroll position (plus a margin), so that each
    // engine step re-renders and re-lays out a few dozen rows, not hundreds.
    let first_visible = props.first_visible;
    let virtual_rows = ledger.rows.len() > VIRTUALIZE_ABOVE;
    let window = if virtual_rows {
        let start = first_visible.saturating_sub(WINDOW_MARGIN).min(ledger.rows.len());
        start..(start + WINDOW_ROWS).min(ledger.rows.len())
    } else {
        0..ledger.rows.len()
    };
    let onscroll = {
        let on_scroll = props.on_scroll.clone();
        Callback::from(move |event: Event| {
            let element: web_sys::Element = event.target_unchecked_into();
            let row = (crate::js::prop_f64(&element, "scrollTop") / ROW_PX).floor() as usize;
            if row != first_visible {
                on_scroll.emit(row);
            }
        })
    };
    let spacer = |rows: usize| {
        // Stands in for rows that are not rendered; a height attribute, since the page's CSP
        // allows no style attributes.
        html! { <tr class="spacer" aria-hidden="true"><td colspan="7" height={crate::num::dec1(rows as f64 * ROW_PX)}></td></tr> }
    };
    let summary = &ledger.summary;
    let selected_row = props.selected.and_then(|msg| ledger.rows.iter().position(|row| row.msg == msg));
    // One listener for every row's button: it reads the message from the button clicked.
    let select = {
        let dispatch = props.dispatch.clone();
        let selected = props.selected;
        Callback::from(move |event: MouseEvent| {
            let button = event.target().and_then(|t| crate::js::closest(&t, ".msg-button"));
            let msg = button
                .and_then(|b| crate::js::attribute(&b, "data-msg"))
                .and_then(|m| m.parse::<u16>().ok())
                .map(MsgId);
            if let Some(msg) = msg {
                dispatch.emit(Action::Select(if selected == Some(msg) { None } else { Some(msg) }));
            }
        })
    };
    html! {
        <div class="ledger-box">
            <p class="summary" data-testid="summary">
                <span><strong>{ summary.delivered_once }</strong>{ " delivered once" }</span>
                <span><strong>{ summary.lost }</strong>{ " lost" }</span>
                <span><strong>{ summary.duplicated }</strong>{ " duplicated" }</span>
                <span><strong>{ summary.other }</strong>{ " other" }</span>
                if summary.unfinished > 0 {
                    <span><strong>{ summary.unfinished }</strong>{ " unfinished" }</span>
                }
            </p>
            if let Some(notice) = ledger.truncation_notice() {
                <p class="truncated" role="status" data-testid="truncated">{ notice }</p>
            }
            <div class={crate::ui::class("ledger-scroll", &[virtual_rows.then_some("virtual")])} tabindex="0" role="region"
                aria-label="Ledger table" {onscroll}>
                <table class="ledger">
                    <caption class="visually-hidden">{ "What happened to each message" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Message" }</th>
                            <th scope="col">{ "Sent" }</th>
                            <th scope="col">{ "In the log" }</th>
                            <th scope="col">{ "Visible" }</th>
                            <th scope="col">{ "Processed" }</th>
                            <th scope="col">{ "Effects" }</th>
                            <th scope="col">{ "Verdict" }</th>
                        </tr>
                    </thead>
                    <tbody onclick={select}>
                        if window.start > 0 {
                            { spacer(window.start) }
                        }
                        { for ledger.rows[window.clone()].iter().map(|row| ledger_row(row, props.selected == Some(row.msg))) }
                        if window.end < ledger.rows.len() {
                            { spacer(ledger.rows.len() - window.end) }
                        }
                    </tbody>
                </table>
            </div>
            // What the columns count, as text (not hover-only titles): a phone shows each row as a
            // card whose counts carry these names (07-ledger.css).
            <p class="hint ledger-legend">
                { "Sent: the application's sends / the client's attempts (retries included). In the log: the offsets \
                   of its copies. Visible: the copies a read_committed / a read_uncommitted consumer can read. \
                   Processed: how many times the consumer processed it. Effects: its effects in the sink (for an \
                   output topic written in transactions, the copies a read_committed / a read_uncommitted reader reads)." }
            </p>
            if let Some(index) = selected_row {
                { cause_view(&ledger.rows[index], &props.data.causes, props.explanation.as_ref()) }
            } else {
                <p class="hint">{ "Select a message to see why it ended as it did." }</p>
            }
        </div>
    }
}

fn ledger_row(row: &MessageRow, selected: bool) -> Html {
    let msg = row.msg;
    let (icon, tone) = verdict_mark(row.verdict);
    let offsets = if row.offsets.is_empty() {
        "none".to_owned()
    } else {
        row.offsets.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
    };
    let also = row.also.iter().map(|v| v.label()).collect::<Vec<_>>().join(", ");
    html! {
        <tr class={selected.then_some("selected")} data-msg={msg.to_string()}>
            <th scope="row">
                <button type="button" class="msg-button" aria-pressed={selected.to_string()}
                    aria-label={format!("Explain {msg}")} data-msg={msg.0.to_string()}>
                    { msg.to_string() }
                </button>
            </th>
            <td class="sent">{ format!("{} / {}", row.app_sends, row.attempts) }</td>
            <td class="log-copies">{ offsets }</td>
            <td class="visible">{ format!("{} / {}", row.visible_read_committed, row.visible_read_uncommitted) }</td>
            <td class="processed">{ row.processed }</td>
            <td class="effects">{ match row.effects_read_uncommitted {
                Some(ru) => format!("{} / {ru}", row.effects),
                None => row.effects.to_string(),
            } }</td>
            <td class={crate::ui::class("verdict", &[Some(tone)])} data-verdict={verdict_slug(row.verdict)}>
                <span class="verdict-icon" aria-hidden="true">{ icon }</span>
                { row.verdict.label() }
                if !also.is_empty() {
                    <span class="also">{ format!(" (also {also})") }</span>
                }
            </td>
        </tr>
    }
}

fn cause_view(row: &MessageRow, causes: &[String], explanation: Option<&(String, bool)>) -> Html {
    let current = explanation.is_some_and(|(_, current)| *current);
    html! {
        <div class="cause" aria-live="polite" aria-busy={(!current).to_string()}>
            <h3 class="subhead">{ row.why() }</h3>
            <p class={if current { "explanation" } else { "explanation muted" }}>
                { explanation.map_or_else(|| "Writing the explanation…".to_owned(), |(text, _)| text.clone()) }
            </p>
            if !causes.is_empty() {
                <ol class="cause-chain">
                    { for causes.iter().map(|line| html! { <li>{ line.clone() }</li> }) }
                </ol>
            }
        </div>
    }
}

/// The verdict's name in markup, exactly as the engine's JSON ledger spells it (`Verdict::slug`,
/// its serde name; the end-to-end tests compare the page with `delivery-lab run --json`).
pub fn verdict_slug(verdict: Verdict) -> &'static str {
    verdict.slug()
}
