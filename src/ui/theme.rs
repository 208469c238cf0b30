//! Light and dark themes. The page follows the system's colour scheme until the learner picks one;
//! the choice is kept in local storage when the browser allows it (an embedding page may not); a
//! link may impose one. `ThemeSwitch` is the switch in the top bar.

use std::fmt;

use delivery_share::link::Theme;
use yew::prelude::*;

/// The learner's choice of colour scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow `prefers-color-scheme`.
    System,
    Light,
    Dark,
}

const STORAGE_KEY: &str = "kafka-delivery-lab.theme";

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "Auto",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    /// The value of the `data-theme` attribute on the root element, if any.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some("light"),
            ThemeChoice::Dark => Some("dark"),
        }
    }

    fn parse(value: &str) -> Option<ThemeChoice> {
        ThemeChoice::ALL.into_iter().find(|choice| choice.attribute() == Some(value))
    }

    /// The stored choice, or `System` when there is none or storage is unavailable.
    pub fn load() -> ThemeChoice {
        storage()
            .and_then(|storage| crate::js::call(&storage, "getItem", &[&STORAGE_KEY.into()]).ok()?.as_string())
            .and_then(|value| ThemeChoice::parse(&value))
            .unwrap_or(ThemeChoice::System)
    }

    /// Sets the theme on the document root and remembers it where storage is available.
    pub fn apply(self) {
        self.show();
        if let Some(storage) = storage() {
            let _ = match self.attribute() {
                Some(value) => crate::js::call(&storage, "setItem", &[&STORAGE_KEY.into(), &value.into()]),
                None => crate::js::call(&storage, "removeItem", &[&STORAGE_KEY.into()]),
            };
        }
    }

    /// Sets the theme on the document root without remembering it (a link's or an embed's theme
    /// is the page author's choice for this page, not the reader's).
    pub fn show(self) {
        let Some(root) = crate::page_root() else { return };
        match self.attribute() {
            Some(value) => {
                let _ = root.set_attribute("data-theme", value);
            }
            None => {
                let _ = root.remove_attribute("data-theme");
            }
        }
    }
}

impl fmt::Display for ThemeChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

fn storage() -> Option<web_sys::Storage> {
    // Reading `localStorage` throws in some sandboxed frames; that simply means no memory.
    let window = web_sys::window()?;
    let storage = crate::js::prop(&window, "localStorage");
    storage.is_object().then(|| wasm_bindgen::JsCast::unchecked_into(storage))
}

/// Shows the theme a link imposes, or else the reader's own choice.
pub fn show_theme(forced: Option<Theme>, choice: ThemeChoice) {
    match forced {
        Some(Theme::Light) => ThemeChoice::Light.show(),
        Some(Theme::Dark) => ThemeChoice::Dark.show(),
        None => choice.apply(),
    }
}

pub struct ThemeSwitchProps {
    pub current: ThemeChoice,
    pub on_change: Callback<ThemeChoice>,
}

pub fn theme_switch(props: &ThemeSwitchProps) -> Html {
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
