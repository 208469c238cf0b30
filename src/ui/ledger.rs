//! The ledger: one row per message with the engine's counters and verdict, a summary, and for the
//! selected message the chain of events that caused its verdict, in words.

use std::rc::Rc;

use delivery_lab::{Ledger, MessageRow, MsgId, Verdict, World};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::lab::Action;

/// The ledger, and the cause chain of the selected message in words, built once per engine step
/// (or selection change). Only the selected row's chain is described: it is all the page shows.
#[derive(Debug, PartialEq)]
pub struct LedgerData {
    pub ledger: Ledger,
    pub causes: Vec<String>,
}

impl LedgerData {
    pub fn new(world: &World, selected: Option<MsgId>) -> LedgerData {
        let ledger = world.ledger();
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
fn verdict_mark(verdict: Verdict) -> (&'static str, &'static str) {
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
        Verdict::Delayed => ("…", "warn"),
        Verdict::Pending => ("·", "pending"),
    }
}

#[derive(Properties)]
pub struct LedgerProps {
    pub data: Rc<LedgerData>,
    pub selected: Option<MsgId>,
    pub dispatch: Callback<Action>,
}

impl PartialEq for LedgerProps {
    fn eq(&self, other: &Self) -> bool {
        // The data is rebuilt only when the engine steps, so pointer equality is content equality.
        Rc::ptr_eq(&self.data, &other.data) && self.selected == other.selected && self.dispatch == other.dispatch
    }
}

#[function_component(LedgerView)]
pub fn ledger_view(props: &LedgerProps) -> Html {
    let ledger = &props.data.ledger;
    let summary = &ledger.summary;
    let selected_row = props.selected.and_then(|msg| ledger.rows.iter().position(|row| row.msg == msg));
    // One listener for every row's button: it reads the message from the button clicked.
    let select = {
        let dispatch = props.dispatch.clone();
        let selected = props.selected;
        Callback::from(move |event: MouseEvent| {
            let button = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest(".msg-button").ok().flatten());
            let msg = button
                .and_then(|b| b.get_attribute("data-msg"))
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
            </p>
            <div class="ledger-scroll" tabindex="0" role="region" aria-label="Ledger table">
                <table class="ledger">
                    <caption class="visually-hidden">{ "What happened to each message" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Message" }</th>
                            <th scope="col" title="application sends / client attempts">{ "Sent" }</th>
                            <th scope="col" title="offsets of its copies in the log">{ "In the log" }</th>
                            <th scope="col" title="copies visible to read_committed / read_uncommitted">{ "Visible" }</th>
                            <th scope="col">{ "Processed" }</th>
                            <th scope="col">{ "Effects" }</th>
                            <th scope="col">{ "Verdict" }</th>
                        </tr>
                    </thead>
                    <tbody onclick={select}>
                        { for ledger.rows.iter().map(|row| ledger_row(row, props.selected == Some(row.msg))) }
                    </tbody>
                </table>
            </div>
            if let Some(index) = selected_row {
                { cause_view(&ledger.rows[index], &props.data.causes) }
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
        <tr class={classes!(selected.then_some("selected"))} data-msg={msg.to_string()}>
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
            <td class="effects">{ row.effects }</td>
            <td class={classes!("verdict", tone)} data-verdict={verdict_slug(row.verdict)}>
                <span class="verdict-icon" aria-hidden="true">{ icon }</span>
                { row.verdict.label() }
                if !also.is_empty() {
                    <span class="also">{ format!(" (also {also})") }</span>
                }
            </td>
        </tr>
    }
}

fn cause_view(row: &MessageRow, causes: &[String]) -> Html {
    html! {
        <div class="cause" aria-live="polite">
            <h3 class="subhead">{ format!("Why {} is {}", row.msg, row.verdict.label()) }</h3>
            <p>{ row.explanation.clone() }</p>
            if !causes.is_empty() {
                <ol class="cause-chain">
                    { for causes.iter().map(|line| html! { <li>{ line.clone() }</li> }) }
                </ol>
            }
        </div>
    }
}

/// The verdict's name in markup, exactly as the engine's JSON ledger spells it (the end-to-end
/// tests compare the page with `delivery-lab run --json`).
pub fn verdict_slug(verdict: Verdict) -> String {
    serde_json::to_value(verdict)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}
