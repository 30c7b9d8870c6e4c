//! Every chart reaches its canvas through `draw_chart`: one place sizes the canvas for the screen,
//! so no chart is soft on a HiDPI screen or has text too small to read on a phone.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::charts::Legibility;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Draws on `canvas` at the size the page laid it out (CSS pixels), backed by device pixels.
///
/// The backing store is `devicePixelRatio` times the CSS size, so lines and text are sharp, and the
/// context is scaled by the same ratio, so the chart code keeps measuring in CSS pixels and a 12 px
/// label stays 12 px on any screen. A canvas that is not laid out (a hidden section) is left alone:
/// there is nothing to see, and it is drawn when it appears (the page redraws on resize).
/// What the chart reports of its labels and rows is written on the canvas as `data-label-px` and
/// `data-row-px`, for the page's layout tests to hold to a legible minimum.
pub fn draw_chart<F, E>(canvas: HtmlCanvasElement, what: &str, draw: F) -> Result<(), JsError>
where
    F: FnOnce(&DrawingArea<CanvasBackend, Shift>) -> Result<Legibility, E>,
    E: std::fmt::Display,
{
    let (css_width, css_height) = (canvas.client_width(), canvas.client_height());
    if css_width <= 0 || css_height <= 0 {
        return Ok(());
    }
    let ratio = web_sys::window()
        .map(|window| window.device_pixel_ratio())
        .filter(|ratio| ratio.is_finite() && *ratio > 0.0)
        .unwrap_or(1.0);
    // Setting the size also clears the canvas and resets the context's transform.
    canvas.set_width((f64::from(css_width) * ratio).round() as u32);
    canvas.set_height((f64::from(css_height) * ratio).round() as u32);
    let no_context = || JsError::new(&format!("the {what} canvas has no 2D context"));
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|context| context.dyn_into().ok())
        .ok_or_else(no_context)?;
    context
        .set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)
        .map_err(|_| no_context())?;
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(no_context)?;
    let area = backend
        .into_drawing_area()
        .shrink((0, 0), (css_width as u32, css_height as u32));
    let legibility =
        draw(&area).map_err(|e| JsError::new(&format!("drawing the {what} failed: {e}")))?;
    // Reporting is best effort: a canvas that refuses an attribute still shows its chart.
    let _ = canvas.set_attribute("data-label-px", &legibility.label_px.to_string());
    match legibility.row_px {
        Some(row_px) => {
            let _ = canvas.set_attribute("data-row-px", &format!("{row_px:.1}"));
        }
        None => {
            let _ = canvas.remove_attribute("data-row-px");
        }
    }
    Ok(())
}
