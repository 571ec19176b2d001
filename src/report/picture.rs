//! The team summary as a PNG: a heatmap of learners × skills coloured by stage, a legend,
//! and the team's estimated retention over the last 8 days.
//!
//! Drawn in-process with plotters' bitmap backend on an opaque light card with dark text
//! and the Okabe–Ito colour-blind-safe palette, so it reads the same in a dark or a light
//! chat theme. Text comes from [`super::glyphs`] (embedded font).

use plotters::prelude::*;

use super::glyphs::Canvas;
use super::TeamSummary;
use ladder_engine::Stage;

/// Every summary picture has this size, whatever the team's size.
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 640;
/// Rows drawn at most; larger teams get a "+N more" line (the text lists everyone).
pub const MAX_ROWS: usize = 24;

const INK: [u8; 3] = [0x1f, 0x23, 0x28];
const MUTED: [u8; 3] = [0x57, 0x60, 0x6a];
const CARD: RGBColor = RGBColor(0xff, 0xff, 0xff);
const BORDER: RGBColor = RGBColor(0xd0, 0xd7, 0xde);
const LINE: RGBColor = RGBColor(0x00, 0x72, 0xb2);
const NOT_STARTED: RGBColor = RGBColor(0xe6, 0xe8, 0xeb);

const LEFT: i32 = 190;
const RIGHT: i32 = WIDTH as i32 - 30;
const GRID_TOP: i32 = 96;
const GRID_BOTTOM: i32 = 420;
const CHART_TOP: i32 = 500;
const CHART_BOTTOM: i32 = 610;

/// Why the picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Encode(#[from] image::ImageError),
}

/// The colour of a stage on the heatmap.
pub fn stage_colour(stage: Option<Stage>) -> RGBColor {
    match stage {
        None => NOT_STARTED,
        Some(Stage::Novice) => RGBColor(0xd5, 0x5e, 0x00),
        Some(Stage::Competent) => RGBColor(0xe6, 0x9f, 0x00),
        Some(Stage::Experienced) => RGBColor(0x56, 0xb4, 0xe9),
        Some(Stage::Master) => RGBColor(0x00, 0x9e, 0x73),
    }
}

/// The summary as PNG bytes, `WIDTH` × `HEIGHT`.
pub fn png(s: &TeamSummary) -> Result<Vec<u8>, PictureError> {
    let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    draw_shapes(s, &mut buf).map_err(|e| PictureError::Draw(e.to_string()))?;
    draw_labels(s, &mut buf);
    let img = image::RgbImage::from_raw(WIDTH, HEIGHT, buf)
        .ok_or_else(|| PictureError::Draw("buffer size".into()))?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn rows(s: &TeamSummary) -> usize {
    s.grid.len().min(MAX_ROWS)
}

/// Cell geometry: (cell width, cell height).
fn cells(s: &TeamSummary) -> (i32, i32) {
    let cols = s.skills.len().max(1) as i32;
    let rows = rows(s).max(1) as i32;
    (
        (RIGHT - LEFT) / cols,
        ((GRID_BOTTOM - GRID_TOP) / rows).min(40),
    )
}

fn draw_shapes(s: &TeamSummary, buf: &mut [u8]) -> DrawResult {
    let area = BitMapBackend::with_buffer(buf, (WIDTH, HEIGHT)).into_drawing_area();
    area.fill(&CARD)?;
    let edge = [(1, 1), (WIDTH as i32 - 2, HEIGHT as i32 - 2)];
    area.draw(&Rectangle::new(edge, BORDER.stroke_width(2)))?;
    let (cw, ch) = cells(s);
    for (r, row) in s.grid.iter().take(MAX_ROWS).enumerate() {
        for (c, stage) in row.iter().enumerate() {
            let x = LEFT + c as i32 * cw;
            let y = GRID_TOP + r as i32 * ch;
            let cell = [(x + 1, y + 1), (x + cw - 1, y + ch - 1)];
            area.draw(&Rectangle::new(cell, stage_colour(*stage).filled()))?;
        }
    }
    for (i, stage) in legend().iter().enumerate() {
        let x = LEFT + i as i32 * 150;
        let swatch = [(x, 440), (x + 18, 458)];
        area.draw(&Rectangle::new(swatch, stage_colour(*stage).filled()))?;
    }
    draw_trend(s, &area)?;
    area.present()?;
    Ok(())
}

fn legend() -> [Option<Stage>; 5] {
    [
        None,
        Some(Stage::Novice),
        Some(Stage::Competent),
        Some(Stage::Experienced),
        Some(Stage::Master),
    ]
}

fn trend_point(i: usize, n: usize, r: f64) -> (i32, i32) {
    let x = LEFT + ((RIGHT - LEFT) as f64 * i as f64 / (n.max(2) - 1) as f64) as i32;
    let y = CHART_BOTTOM - ((CHART_BOTTOM - CHART_TOP) as f64 * r.clamp(0.0, 1.0)) as i32;
    (x, y)
}

fn draw_trend<DB: DrawingBackend>(
    s: &TeamSummary,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for frac in [0.0, 0.5, 1.0] {
        let y = trend_point(0, 2, frac).1;
        area.draw(&PathElement::new(vec![(LEFT, y), (RIGHT, y)], BORDER))?;
    }
    let n = s.retention.len();
    let points: Vec<(i32, i32)> = s
        .retention
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some(trend_point(i, n, (*r)?)))
        .collect();
    area.draw(&PathElement::new(points.clone(), LINE.stroke_width(3)))?;
    for p in points {
        area.draw(&Circle::new(p, 4, LINE.filled()))?;
    }
    Ok(())
}

fn draw_labels(s: &TeamSummary, buf: &mut [u8]) {
    let mut canvas = Canvas {
        buf,
        width: WIDTH,
        height: HEIGHT,
    };
    let title = format!("Team {}: stage per skill", s.team);
    canvas.text(&title, 24.0, 18.0, 24.0, INK, (WIDTH - 48) as f32);
    let (cw, ch) = cells(s);
    for (c, skill) in s.skills.iter().enumerate() {
        let x = (LEFT + c as i32 * cw + 3) as f32;
        canvas.text(&skill.title, x, 66.0, 13.0, INK, (cw - 6) as f32);
    }
    let size = (ch as f32 * 0.6).clamp(9.0, 16.0);
    for (r, name) in s.members.iter().take(MAX_ROWS).enumerate() {
        let y = (GRID_TOP + r as i32 * ch) as f32 + (ch as f32 - size) / 2.0 - 1.0;
        canvas.text(name, 24.0, y, size, INK, (LEFT - 34) as f32);
    }
    if s.members.len() > MAX_ROWS {
        let more = format!(
            "+{} more (see the text summary)",
            s.members.len() - MAX_ROWS
        );
        canvas.text(&more, 24.0, 424.0, 12.0, MUTED, (LEFT - 34) as f32);
    }
    let names = [
        "not started",
        "novice",
        "competent",
        "experienced",
        "master",
    ];
    for (i, name) in names.iter().enumerate() {
        let x = (LEFT + i as i32 * 150 + 24) as f32;
        canvas.text(name, x, 440.0, 14.0, INK, 120.0);
    }
    let retention = match s.retention.last().copied().flatten() {
        Some(r) => format!("Estimated retention, last 7 days: {:.0}% today", r * 100.0),
        None => "Estimated retention: nothing learnt yet".to_owned(),
    };
    canvas.text(&retention, 24.0, 472.0, 16.0, INK, (WIDTH - 48) as f32);
    for (label, frac) in [("100%", 1.0), ("50%", 0.5), ("0%", 0.0)] {
        let y = trend_point(0, 2, frac).1 as f32 - 8.0;
        canvas.text(label, (LEFT - 50) as f32, y, 12.0, MUTED, 44.0);
    }
    canvas.text("7 days ago", LEFT as f32, 616.0, 12.0, MUTED, 100.0);
    canvas.text("today", (RIGHT - 34) as f32, 616.0, 12.0, MUTED, 60.0);
}
