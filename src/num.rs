//! Numbers as text without the standard library's float formatting: `{:.1}` and `f32::to_string`
//! pull core's float-printing algorithms (several KB gzipped) into the page for SVG coordinates
//! and a few labels. One decimal, written with integer arithmetic, is all the page needs.

/// `value` rounded to one decimal, without a trailing `.0` (`12`, `12.5`, `-0.3`); non-finite
/// values are written as `0`.
pub fn dec1(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let tenths = (value * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    match tenths % 10 {
        0 => format!("{sign}{}", tenths / 10),
        digit => format!("{sign}{}.{digit}", tenths / 10),
    }
}

/// `value` within `lo..=hi`, as `f32::clamp` and `f64::clamp` give it (NaN stays NaN), without
/// their check that `lo <= hi`: its panic message formats floats with `Debug`, which links core's
/// float-printing algorithms (about 4 KB gzipped) into the page.
pub fn clamp<T: PartialOrd>(value: T, lo: T, hi: T) -> T {
    if value < lo {
        lo
    } else if value > hi {
        hi
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::{clamp, dec1};

    #[test]
    fn clamps_as_the_standard_library_does() {
        for value in [-2.5, -1.0, 0.0, 0.25, 1.0, 7.0, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(clamp(value, -1.0, 1.0), value.clamp(-1.0, 1.0), "{value}");
        }
        assert!(clamp(f64::NAN, 0.0, 1.0).is_nan());
        assert_eq!(clamp(3.5f32, 0.0, 2.0), 2.0);
    }

    #[test]
    fn one_decimal_as_the_standard_library_would_round_it() {
        for (value, text) in [(0.0, "0"), (12.0, "12"), (12.5, "12.5"), (12.46, "12.5"), (12.44, "12.4"), (-0.3, "-0.3"),
            (-0.04, "0"), (1234567.89, "1234567.9"), (f64::NAN, "0"), (0.05, "0.1")] {
            assert_eq!(dec1(value), text, "{value}");
        }
        // Agrees with `{:.1}` (minus its trailing ".0") away from ties, over a range of values.
        for i in -2000..2000 {
            let value = f64::from(i) * 0.37;
            // At a decimal tie (x.x5) the two may round the binary value differently: skip those.
            if ((value * 10.0).abs().fract() - 0.5).abs() < 1e-6 {
                continue;
            }
            let std = format!("{value:.1}");
            let std = std.strip_suffix(".0").unwrap_or(&std);
            let std = if std == "-0" { "0" } else { std };
            assert_eq!(dec1(value), std, "{value}");
        }
    }
}
