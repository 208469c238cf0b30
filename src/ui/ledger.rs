//! The ledger: one row per message, with its copies, processing runs, effects and verdict.

use yew::prelude::*;

/// The ledger's columns, in the order PRODUCT.md lists a message's counters.
const COLUMNS: [&str; 7] =
    ["Message", "Sent", "In the log", "Visible", "Processed", "Effects", "Verdict"];

#[function_component(Ledger)]
pub fn ledger() -> Html {
    html! {
        <div class="ledger-scroll" tabindex="0" role="region" aria-label="Ledger table">
            <table class="ledger">
                <caption class="visually-hidden">{ "What happened to each message" }</caption>
                <thead>
                    <tr>{ for COLUMNS.iter().map(|name| html! { <th scope="col">{ *name }</th> }) }</tr>
                </thead>
                <tbody>
                    <tr class="empty">
                        <td colspan={COLUMNS.len().to_string()}>
                            { "No run yet. Each message gets a row here as it travels." }
                        </td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}
