//! Colours for light and dark pages.

use plotters::chart::{ChartContext, MeshStyle, SeriesLabelPosition};
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::DrawingBackend;
use plotters::style::{Color, IntoFont, RGBColor, TextStyle};

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

/// The look every chart shares: text in the theme's colour, grid and axes, and the legend box.
impl Theme {
    pub fn text(&self, size: u32) -> TextStyle<'static> {
        ("sans-serif", size).into_font().color(&self.text)
    }

    /// `chart`'s mesh in this theme, with labels of `label_size`; callers add their axis texts and
    /// formatters, then `draw()`.
    pub fn mesh<'a, 'b, DB, X, Y, XT, YT>(
        &self,
        chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
        label_size: u32,
    ) -> MeshStyle<'a, 'b, X, Y, DB>
    where
        DB: DrawingBackend,
        X: Ranged<ValueType = XT> + ValueFormatter<XT>,
        Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    {
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(self.grid)
            .bold_line_style(self.grid)
            .axis_style(self.text)
            .label_style(self.text(label_size))
            .axis_desc_style(self.text(12));
        mesh
    }

    /// The series legend, top left, over a nearly opaque background.
    pub fn legend<'a, DB, X, Y>(
        &self,
        chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
    where
        DB: DrawingBackend + 'a,
        X: Ranged,
        Y: Ranged,
    {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(self.background.mix(0.9))
            .border_style(self.grid)
            .label_font(self.text(12))
            .draw()
    }
}
