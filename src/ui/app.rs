//! The app shell: header, stage, controls, ledger and narration.

use delivery_lab::Preset;
use yew::prelude::*;

use super::controls::Controls;
use super::ledger::Ledger;
use super::stage::Stage;
use super::theme::ThemeChoice;

#[function_component(App)]
pub fn app() -> Html {
    let preset = use_state(|| Preset::AtLeastOnce);
    let theme = use_state(ThemeChoice::load);
    {
        let theme = *theme;
        use_effect_with(theme, move |_| theme.apply());
    }

    let on_preset = {
        let preset = preset.clone();
        Callback::from(move |chosen: Preset| preset.set(chosen))
    };

    html! {
        <div class="lab">
            <header class="topbar">
                <div class="brand">
                    <h1>{ "Kafka Delivery Lab" }</h1>
                    <p class="tagline">
                        { "Where Kafka loses and duplicates messages, one message at a time." }
                    </p>
                </div>
                <ThemeSwitch current={*theme} on_change={Callback::from(move |c| theme.set(c))} />
            </header>
            <main class="workspace">
                <section class="panel stage-panel" aria-labelledby="stage-title">
                    <h2 id="stage-title" class="panel-title">{ "Stage" }</h2>
                    <Stage />
                </section>
                <section class="panel controls-panel" aria-labelledby="controls-title">
                    <h2 id="controls-title" class="panel-title">{ "Scenario" }</h2>
                    <Controls preset={*preset} on_preset={on_preset} />
                </section>
                <section class="panel ledger-panel" aria-labelledby="ledger-title">
                    <h2 id="ledger-title" class="panel-title">{ "Ledger" }</h2>
                    <Ledger />
                </section>
                <p class="narration" role="status" aria-live="polite">
                    { format!("{} selected. {}.", preset.label(), preset.summary()) }
                </p>
            </main>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ThemeSwitchProps {
    current: ThemeChoice,
    on_change: Callback<ThemeChoice>,
}

#[function_component(ThemeSwitch)]
fn theme_switch(props: &ThemeSwitchProps) -> Html {
    html! {
        <div class="theme-switch" role="group" aria-label="Colour theme">
            { for ThemeChoice::ALL.into_iter().map(|choice| {
                let on_change = props.on_change.clone();
                html! {
                    <button
                        type="button"
                        class="chip"
                        data-theme-choice={choice.attribute().unwrap_or("system")}
                        aria-pressed={(choice == props.current).to_string()}
                        onclick={Callback::from(move |_| on_change.emit(choice))}
                    >
                        { choice.label() }
                    </button>
                }
            }) }
        </div>
    }
}
