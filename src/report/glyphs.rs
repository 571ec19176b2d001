//! Text for the PNG, drawn with ab_glyph from a font embedded in the binary (DejaVu Sans,
//! `assets/fonts/`, under the Bitstream Vera licence), so the picture looks the same on
//! a server with no fonts installed. plotters' own text goes through the system's fonts.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use std::sync::OnceLock;

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).expect("the embedded font parses"))
}

/// An RGB8 pixel buffer, row-major, that text can be drawn onto.
pub struct Canvas<'a> {
    pub buf: &'a mut [u8],
    pub width: u32,
    pub height: u32,
}

impl Canvas<'_> {
    /// Width in pixels of `text` at `size`.
    pub fn measure(text: &str, size: f32) -> f32 {
        let f = font().as_scaled(PxScale::from(size));
        text.chars().map(|c| f.h_advance(f.glyph_id(c))).sum()
    }

    /// Draws `text` with its top-left corner at (x, y), blending `rgb` over what is there;
    /// anything past `max_width` is cut with an ellipsis.
    pub fn text(&mut self, text: &str, x: f32, y: f32, size: f32, rgb: [u8; 3], max_width: f32) {
        let shown = fit(text, size, max_width);
        let scaled = font().as_scaled(PxScale::from(size));
        let mut caret = x;
        for c in shown.chars() {
            let id = scaled.glyph_id(c);
            let glyph = id.with_scale_and_position(size, point(caret, y + scaled.ascent()));
            caret += scaled.h_advance(id);
            let Some(outline) = font().outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, cover| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                self.blend(px, py, rgb, cover);
            });
        }
    }

    fn blend(&mut self, x: i64, y: i64, rgb: [u8; 3], cover: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let at = ((y as usize) * self.width as usize + x as usize) * 3;
        let a = cover.clamp(0.0, 1.0);
        for (k, channel) in rgb.iter().enumerate() {
            let old = f32::from(self.buf[at + k]);
            self.buf[at + k] = (old + (f32::from(*channel) - old) * a).round() as u8;
        }
    }
}

/// `text`, shortened with "…" until it fits in `max_width`.
fn fit(text: &str, size: f32, max_width: f32) -> String {
    if Canvas::measure(text, size) <= max_width {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>() + "…";
        if Canvas::measure(&candidate, size) <= max_width {
            return candidate;
        }
    }
    String::new()
}
