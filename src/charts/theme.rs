//! Colours for light and dark pages.

use plotters::style::RGBColor;

use crate::model::downloads::Phase;

/// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. One per task.
pub const TASK_COLORS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(120, 120, 120),
];

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub background: RGBColor,
    pub text: RGBColor,
    pub grid: RGBColor,
}

impl Theme {
    pub const LIGHT: Theme = Theme {
        background: RGBColor(255, 255, 255),
        text: RGBColor(30, 30, 30),
        grid: RGBColor(225, 225, 225),
    };
    pub const DARK: Theme = Theme {
        background: RGBColor(24, 26, 31),
        text: RGBColor(225, 225, 225),
        grid: RGBColor(60, 63, 70),
    };

    pub fn for_dark_mode(dark: bool) -> Theme {
        if dark {
            Theme::DARK
        } else {
            Theme::LIGHT
        }
    }

    pub fn task_color(task: u32) -> RGBColor {
        TASK_COLORS[task as usize % TASK_COLORS.len()]
    }
}

impl Theme {
    /// A download's phases: queued for a connection (grey), waiting for the first byte (sky blue),
    /// transferring (blue), failed (vermillion). Okabe–Ito again, so the split reads for everyone.
    pub fn phase_color(phase: Phase) -> RGBColor {
        match phase {
            Phase::Queued => RGBColor(160, 160, 160),
            Phase::Waiting => RGBColor(86, 180, 233),
            Phase::Transfer => RGBColor(0, 114, 178),
            Phase::Failed => RGBColor(213, 94, 0),
        }
    }
}
