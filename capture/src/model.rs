//! The whisper model: CTranslate2 `model.bin` (as the registry ships it) →
//! the ggml file whisper.cpp reads.
//!
//! CTranslate2 (binary version 6): `u32 version`, string spec name, `u32
//! revision`, `u32 n`, then n × (string name, `u8 ndim`, ndim × `u32`, `u8
//! dtype`, `u32 nbytes`, bytes), then `u32 n` aliases (string, string).
//! Strings are `u16 len` (with the NUL) + bytes + NUL. Little-endian.
//!
//! ggml (whisper.cpp): magic `0x67676d6c`; eleven i32 hparams; mel filters
//! (`i32 n_mel, i32 n_fft`, f32s); vocabulary (`i32 n`, n × (`i32 len`,
//! bytes)); then per tensor `i32 ndim, i32 name_len, i32 ftype`, dims
//! innermost first, name, data. Names are openai-whisper's. 1-D tensors, the
//! conv biases (as `[n, 1]`) and both positional embeddings are f32, the
//! rest f16. [`quantize_q8_0`] rewrites such a file (or any f16 whisper.cpp
//! model) with its 2-D weight matrices as ggml's q8_0 blocks (type 8; file
//! type 2007), for slower counter PCs.

use std::collections::HashMap;
use std::io::{Read, Write};

/// Errors of model conversion, for the IT officer setting up a counter PC.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a CTranslate2 model: {0}")]
    Format(String),
    #[error("CTranslate2 model lacks tensor {0}")]
    Missing(String),
    #[error(
        "unsupported CTranslate2 data type {dtype} for {name} (use a float16 or float32 model)"
    )]
    DType { name: String, dtype: u8 },
    #[error("mel filters: {0}")]
    Mel(String),
    #[error("vocabulary: {0}")]
    Vocab(String),
    #[error("writing the ggml model: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a ggml whisper model with f16 weights: {0}")]
    Ggml(String),
}

const DT_F32: u8 = 0;
const DT_I8: u8 = 1;
const DT_I16: u8 = 2;
const DT_I32: u8 = 3;
const DT_F16: u8 = 4;

/// One variable of a CTranslate2 model, borrowing the file's bytes.
#[derive(Debug, Clone)]
pub struct Var<'a> {
    pub shape: Vec<usize>,
    pub dtype: u8,
    pub data: &'a [u8],
}

impl Var<'_> {
    fn elem_size(&self) -> usize {
        match self.dtype {
            DT_F32 | DT_I32 => 4,
            DT_F16 | DT_I16 => 2,
            _ => 1,
        }
    }
    /// A scalar integer (num_heads and friends).
    pub fn scalar(&self) -> Option<i64> {
        match (self.dtype, self.data) {
            (DT_I8, [b]) => Some(i64::from(*b as i8)),
            (DT_I16, [a, b]) => Some(i64::from(i16::from_le_bytes([*a, *b]))),
            (DT_I32, [a, b, c, d]) => Some(i64::from(i32::from_le_bytes([*a, *b, *c, *d]))),
            _ => None,
        }
    }
}

/// A parsed CTranslate2 model.
#[derive(Debug)]
pub struct Ct2<'a> {
    pub spec: String,
    pub vars: HashMap<String, Var<'a>>,
}

/// Reads a model file front to back; `bad` says what kind of file it
/// failed to be (a CTranslate2 or a ggml model).
struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
    bad: fn(String) -> ModelError,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.p.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| (self.bad)(format!("truncated at byte {}", self.p)))?;
        let s = &self.b[self.p..end];
        self.p = end;
        Ok(s)
    }
    fn i32(&mut self) -> Result<i32, ModelError> {
        let s = self.take(4)?;
        Ok(i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    /// An i32 that counts something.
    fn len(&mut self) -> Result<usize, ModelError> {
        let at = self.p;
        usize::try_from(self.i32()?)
            .map_err(|_| (self.bad)(format!("a negative length at byte {at}")))
    }
    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ModelError> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn string(&mut self) -> Result<String, ModelError> {
        let n = self.u16()? as usize;
        let s = self.take(n)?;
        let s = s.strip_suffix(&[0]).unwrap_or(s);
        String::from_utf8(s.to_vec()).map_err(|_| (self.bad)("name is not UTF-8".into()))
    }
}

/// Parses a CTranslate2 `model.bin`. Aliases become extra names for their
/// target's data.
pub fn parse_ct2(bytes: &[u8]) -> Result<Ct2<'_>, ModelError> {
    let mut c = Cursor {
        b: bytes,
        p: 0,
        bad: ModelError::Format,
    };
    let version = c.u32()?;
    if !(5..=6).contains(&version) {
        return Err(ModelError::Format(format!(
            "binary version {version} (expected 5 or 6)"
        )));
    }
    let spec = c.string()?;
    let _revision = c.u32()?;
    let n = c.u32()? as usize;
    if n > 100_000 {
        return Err(ModelError::Format(format!("{n} variables")));
    }
    let mut vars = HashMap::with_capacity(n);
    for _ in 0..n {
        let name = c.string()?;
        let ndim = c.u8()? as usize;
        let shape = (0..ndim)
            .map(|_| c.u32().map(|d| d as usize))
            .collect::<Result<Vec<_>, _>>()?;
        let dtype = c.u8()?;
        let nbytes = c.u32()? as usize;
        let data = c.take(nbytes)?;
        let var = Var { shape, dtype, data };
        let want: usize = var.shape.iter().product::<usize>() * var.elem_size();
        if want != nbytes {
            return Err(ModelError::Format(format!(
                "{name}: {nbytes} bytes for shape {:?}",
                var.shape
            )));
        }
        vars.insert(name, var);
    }
    let aliases = c.u32()?;
    for _ in 0..aliases {
        let alias = c.string()?;
        let target = c.string()?;
        if let Some(v) = vars.get(&target).cloned() {
            vars.insert(alias, v);
        }
    }
    if c.p != bytes.len() {
        return Err(ModelError::Format(format!(
            "{} bytes after the last alias",
            bytes.len() - c.p
        )));
    }
    Ok(Ct2 { spec, vars })
}

/// IEEE half → single precision.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: normalize.
            let mut e = 127 - 15 + 1;
            let mut f = f;
            while f & 0x400 == 0 {
                f <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((f & 0x3ff) << 13)
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

/// IEEE single → half precision (round to nearest even).
pub fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let frac = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if frac != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = frac | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = m >> shift;
        let rem = m & ((1 << shift) - 1);
        let mid = 1 << (shift - 1);
        let round = u32::from(rem > mid || (rem == mid && half & 1 == 1));
        return sign | (half + round) as u16;
    }
    let half = ((e as u32) << 10) | (frac >> 13);
    let rem = frac & 0x1fff;
    let round = u32::from(rem > 0x1000 || (rem == 0x1000 && half & 1 == 1));
    sign | (half + round) as u16
}

/// A tensor's values as f32, whatever its stored float type.
fn as_f32(name: &str, v: &Var, rows: std::ops::Range<usize>) -> Result<Vec<f32>, ModelError> {
    let bytes = row_bytes(v, rows);
    match v.dtype {
        DT_F16 => Ok(bytes
            .chunks_exact(2)
            .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
            .collect()),
        DT_F32 => Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()),
        dtype => Err(ModelError::DType {
            name: name.into(),
            dtype,
        }),
    }
}

/// A tensor's values as f16 bits.
fn as_f16(name: &str, v: &Var, rows: std::ops::Range<usize>) -> Result<Vec<u8>, ModelError> {
    match v.dtype {
        DT_F16 => Ok(row_bytes(v, rows).to_vec()),
        DT_F32 => Ok(as_f32(name, v, rows)?
            .into_iter()
            .flat_map(|x| f32_to_f16(x).to_le_bytes())
            .collect()),
        dtype => Err(ModelError::DType {
            name: name.into(),
            dtype,
        }),
    }
}

/// The bytes of rows `rows` (along the first dimension).
fn row_bytes<'a>(v: &Var<'a>, rows: std::ops::Range<usize>) -> &'a [u8] {
    let row: usize = v.shape.iter().skip(1).product::<usize>() * v.elem_size();
    &v.data[rows.start * row..rows.end * row]
}

/// Mel filterbank: `n_mel × n_fft` f32s.
pub struct Mel {
    pub n_mel: usize,
    pub n_fft: usize,
    pub data: Vec<f32>,
}

/// Reads `mel_<n>` from openai-whisper's `mel_filters.npz`.
pub fn read_mel_npz(npz: &[u8], n_mel: usize) -> Result<Mel, ModelError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(npz))
        .map_err(|e| ModelError::Mel(e.to_string()))?;
    let name = format!("mel_{n_mel}.npy");
    let mut f = zip
        .by_name(&name)
        .map_err(|_| ModelError::Mel(format!("{name} not in the archive")))?;
    let mut npy = Vec::new();
    f.read_to_end(&mut npy)?;
    if !npy.starts_with(b"\x93NUMPY") || npy.len() < 10 {
        return Err(ModelError::Mel(format!("{name} is not .npy")));
    }
    let (hlen, start) = match npy[6] {
        1 => (u16::from_le_bytes([npy[8], npy[9]]) as usize, 10),
        _ => (
            u32::from_le_bytes([npy[8], npy[9], npy[10], npy[11]]) as usize,
            12,
        ),
    };
    let header =
        std::str::from_utf8(npy.get(start..start + hlen).unwrap_or_default()).unwrap_or_default();
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        return Err(ModelError::Mel(format!(
            "unexpected array header {header:?}"
        )));
    }
    let shape: Vec<usize> = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .map(|s| s.split(',').filter_map(|d| d.trim().parse().ok()).collect())
        .unwrap_or_default();
    let [rows, cols] = shape[..] else {
        return Err(ModelError::Mel(format!("shape {shape:?}")));
    };
    let body = &npy[start + hlen..];
    if body.len() != rows * cols * 4 {
        return Err(ModelError::Mel("size does not match the shape".into()));
    }
    let data = body
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Mel {
        n_mel: rows,
        n_fft: cols,
        data,
    })
}

/// Decodes standard base64 (as in `.tiktoken` files).
fn base64(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in s {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The byte tokens of a `.tiktoken` file, in rank order.
pub fn read_tiktoken(text: &str) -> Result<Vec<Vec<u8>>, ModelError> {
    let mut tokens: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let mut parts = line.split_whitespace();
        let (Some(tok), Some(rank)) = (parts.next(), parts.next()) else {
            return Err(ModelError::Vocab(format!(
                "line {}: expected `<base64> <rank>`",
                i + 1
            )));
        };
        let bytes =
            base64(tok).ok_or_else(|| ModelError::Vocab(format!("line {}: bad base64", i + 1)))?;
        let rank = rank
            .parse()
            .map_err(|_| ModelError::Vocab(format!("line {}: bad rank", i + 1)))?;
        tokens.push((rank, bytes));
    }
    tokens.sort_by_key(|t| t.0);
    Ok(tokens.into_iter().map(|t| t.1).collect())
}

/// Model dimensions, as the ggml header carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: usize,
    pub n_audio_ctx: usize,
    pub n_audio_state: usize,
    pub n_audio_head: usize,
    pub n_audio_layer: usize,
    pub n_text_ctx: usize,
    pub n_text_state: usize,
    pub n_text_head: usize,
    pub n_text_layer: usize,
    pub n_mels: usize,
}

impl Ct2<'_> {
    fn var(&self, name: &str) -> Result<&Var<'_>, ModelError> {
        self.vars
            .get(name)
            .ok_or_else(|| ModelError::Missing(name.into()))
    }

    fn layers(&self, side: &str) -> usize {
        (0..)
            .take_while(|i| {
                self.vars
                    .contains_key(&format!("{side}/layer_{i}/ffn/linear_0/weight"))
            })
            .count()
    }

    /// The model's dimensions.
    pub fn hparams(&self) -> Result<Hparams, ModelError> {
        let heads = |n: &str| -> Result<usize, ModelError> {
            self.var(n)?
                .scalar()
                .map(|x| x as usize)
                .ok_or_else(|| ModelError::Format(format!("{n} is not a scalar")))
        };
        let emb = &self.var("decoder/embeddings/weight")?.shape;
        let apos = &self.var("encoder/position_encodings/encodings")?.shape;
        let tpos = &self.var("decoder/position_encodings/encodings")?.shape;
        let conv1 = &self.var("encoder/conv1/weight")?.shape;
        let dims = |s: &Vec<usize>, n: usize| s.len() == n;
        if !(dims(emb, 2) && dims(apos, 2) && dims(tpos, 2) && dims(conv1, 3)) {
            return Err(ModelError::Format("unexpected tensor ranks".into()));
        }
        Ok(Hparams {
            n_vocab: emb[0],
            n_audio_ctx: apos[0],
            n_audio_state: apos[1],
            n_audio_head: heads("encoder/num_heads")?,
            n_audio_layer: self.layers("encoder"),
            n_text_ctx: tpos[0],
            n_text_state: tpos[1],
            n_text_head: heads("decoder/num_heads")?,
            n_text_layer: self.layers("decoder"),
            n_mels: conv1[1],
        })
    }
}

/// One tensor to write: ggml name, source variable, rows to take, and
/// whether it is written as f32 (else f16), and an optional reshape.
struct Plan {
    name: String,
    src: String,
    rows: Option<std::ops::Range<usize>>,
    f32: bool,
    column: bool,
}

fn plan(h: &Hparams) -> Vec<Plan> {
    let mut p = Vec::new();
    let mut add = |name: String, src: String, rows: Option<std::ops::Range<usize>>| {
        let f32 = name.ends_with("positional_embedding")
            || name.ends_with(".bias")
            || name.contains("_ln.")
            || name.contains("ln_post")
            || name.starts_with("decoder.ln.");
        let column = name == "encoder.conv1.bias" || name == "encoder.conv2.bias";
        p.push(Plan {
            name,
            src,
            rows,
            f32,
            column,
        });
    };
    add(
        "encoder.positional_embedding".into(),
        "encoder/position_encodings/encodings".into(),
        None,
    );
    for c in ["conv1", "conv2"] {
        for k in ["weight", "bias"] {
            add(format!("encoder.{c}.{k}"), format!("encoder/{c}/{k}"), None);
        }
    }
    let ln = |add: &mut dyn FnMut(String, String, Option<std::ops::Range<usize>>),
              to: String,
              from: String| {
        add(format!("{to}.weight"), format!("{from}/gamma"), None);
        add(format!("{to}.bias"), format!("{from}/beta"), None);
    };
    let lin = |add: &mut dyn FnMut(String, String, Option<std::ops::Range<usize>>),
               to: String,
               from: String,
               rows: Option<std::ops::Range<usize>>,
               bias: bool| {
        add(
            format!("{to}.weight"),
            format!("{from}/weight"),
            rows.clone(),
        );
        if bias {
            add(format!("{to}.bias"), format!("{from}/bias"), rows);
        }
    };
    for (side, layers, n) in [
        ("encoder", h.n_audio_layer, h.n_audio_state),
        ("decoder", h.n_text_layer, h.n_text_state),
    ] {
        for i in 0..layers {
            let to = format!("{side}.blocks.{i}");
            let from = format!("{side}/layer_{i}");
            ln(
                &mut add,
                format!("{to}.attn_ln"),
                format!("{from}/self_attention/layer_norm"),
            );
            let qkv = format!("{from}/self_attention/linear_0");
            lin(
                &mut add,
                format!("{to}.attn.query"),
                qkv.clone(),
                Some(0..n),
                true,
            );
            lin(
                &mut add,
                format!("{to}.attn.key"),
                qkv.clone(),
                Some(n..2 * n),
                false,
            );
            lin(
                &mut add,
                format!("{to}.attn.value"),
                qkv,
                Some(2 * n..3 * n),
                true,
            );
            lin(
                &mut add,
                format!("{to}.attn.out"),
                format!("{from}/self_attention/linear_1"),
                None,
                true,
            );
            if side == "decoder" {
                ln(
                    &mut add,
                    format!("{to}.cross_attn_ln"),
                    format!("{from}/attention/layer_norm"),
                );
                lin(
                    &mut add,
                    format!("{to}.cross_attn.query"),
                    format!("{from}/attention/linear_0"),
                    None,
                    true,
                );
                let kv = format!("{from}/attention/linear_1");
                lin(
                    &mut add,
                    format!("{to}.cross_attn.key"),
                    kv.clone(),
                    Some(0..n),
                    false,
                );
                lin(
                    &mut add,
                    format!("{to}.cross_attn.value"),
                    kv,
                    Some(n..2 * n),
                    true,
                );
                lin(
                    &mut add,
                    format!("{to}.cross_attn.out"),
                    format!("{from}/attention/linear_2"),
                    None,
                    true,
                );
            }
            ln(
                &mut add,
                format!("{to}.mlp_ln"),
                format!("{from}/ffn/layer_norm"),
            );
            lin(
                &mut add,
                format!("{to}.mlp.0"),
                format!("{from}/ffn/linear_0"),
                None,
                true,
            );
            lin(
                &mut add,
                format!("{to}.mlp.2"),
                format!("{from}/ffn/linear_1"),
                None,
                true,
            );
        }
        if side == "encoder" {
            ln(
                &mut add,
                "encoder.ln_post".into(),
                "encoder/layer_norm".into(),
            );
        }
    }
    add(
        "decoder.positional_embedding".into(),
        "decoder/position_encodings/encodings".into(),
        None,
    );
    add(
        "decoder.token_embedding.weight".into(),
        "decoder/embeddings/weight".into(),
        None,
    );
    ln(&mut add, "decoder.ln".into(), "decoder/layer_norm".into());
    p
}

/// Writes the ggml model. `progress(done, total)` is called per tensor.
pub fn write_ggml(
    model: &Ct2,
    mel: &Mel,
    vocab: &[Vec<u8>],
    out: &mut impl Write,
    mut progress: impl FnMut(usize, usize),
) -> Result<Hparams, ModelError> {
    if model.spec != "WhisperSpec" {
        return Err(ModelError::Format(format!(
            "spec {} is not a whisper model",
            model.spec
        )));
    }
    let h = model.hparams()?;
    if mel.n_mel != h.n_mels {
        return Err(ModelError::Mel(format!(
            "{} filters for a {}-mel model",
            mel.n_mel, h.n_mels
        )));
    }
    let i32s = |out: &mut dyn Write, xs: &[usize]| -> std::io::Result<()> {
        for &x in xs {
            out.write_all(&(x as i32).to_le_bytes())?;
        }
        Ok(())
    };
    out.write_all(&0x6767_6d6cu32.to_le_bytes())?;
    i32s(
        out,
        &[
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer,
            h.n_text_ctx,
            h.n_text_state,
            h.n_text_head,
            h.n_text_layer,
            h.n_mels,
            1, // mostly f16
        ],
    )?;
    i32s(out, &[mel.n_mel, mel.n_fft])?;
    for x in &mel.data {
        out.write_all(&x.to_le_bytes())?;
    }
    i32s(out, &[vocab.len()])?;
    for t in vocab {
        i32s(out, &[t.len()])?;
        out.write_all(t)?;
    }
    let plan = plan(&h);
    let total = plan.len();
    for (i, t) in plan.iter().enumerate() {
        let v = model.var(&t.src)?;
        let rows = t
            .rows
            .clone()
            .unwrap_or(0..v.shape.first().copied().unwrap_or(1));
        let mut shape: Vec<usize> = v.shape.clone();
        if let Some(first) = shape.first_mut() {
            *first = rows.len();
        }
        if shape.is_empty() {
            shape.push(1);
        }
        if t.column {
            shape = vec![shape[0], 1];
        }
        let data: Vec<u8> = if t.f32 {
            as_f32(&t.src, v, rows)?
                .into_iter()
                .flat_map(f32::to_le_bytes)
                .collect()
        } else {
            as_f16(&t.src, v, rows)?
        };
        i32s(out, &[shape.len(), t.name.len(), usize::from(!t.f32)])?;
        let dims: Vec<usize> = shape.iter().rev().copied().collect();
        i32s(out, &dims)?;
        out.write_all(t.name.as_bytes())?;
        out.write_all(&data)?;
        progress(i + 1, total);
    }
    Ok(h)
}

/// ggml's tensor type for 8-bit blocks (`GGML_TYPE_Q8_0`).
const GGML_Q8_0: i32 = 8;
/// The model file type "mostly q8_0" with ggml's quantization version (2)
/// times 1000 added, as whisper.cpp reads it.
const FTYPE_Q8_0: i32 = 2 * 1000 + 7;
/// Values per q8_0 block: an f16 scale, then one i8 each.
const QK8_0: usize = 32;

/// Rewrites a ggml whisper model whose weight matrices are f16 (what
/// `setup` writes, and whisper.cpp's own `ggml-*.bin`) with those matrices
/// in q8_0: each run of 32 values as an f16 scale (the largest magnitude /
/// 127) and 32 bytes, rounded as ggml rounds. Convolutions, biases, norms
/// and positional embeddings stay as they are. About half the size, faster
/// on a CPU, a little less accurate (BENCHMARKS.md). Returns the number of
/// matrices quantized.
pub fn quantize_q8_0(
    input: &[u8],
    out: &mut impl Write,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize, ModelError> {
    fn bad(what: &str) -> ModelError {
        ModelError::Ggml(what.to_owned())
    }
    let mut cur = Cursor {
        b: input,
        p: 0,
        bad: ModelError::Ggml,
    };
    if cur.i32()? as u32 != 0x6767_6d6c {
        return Err(bad("no ggml magic at its start"));
    }
    out.write_all(&input[..4])?;
    let mut hparams = Vec::with_capacity(11);
    for _ in 0..11 {
        hparams.push(cur.i32()?);
    }
    if hparams[10] != 1 {
        return Err(bad(&format!(
            "its file type is {}, not 1 (mostly f16): already quantized, or f32",
            hparams[10]
        )));
    }
    hparams[10] = FTYPE_Q8_0;
    for h in &hparams {
        out.write_all(&h.to_le_bytes())?;
    }
    // Mel filters and vocabulary, copied as they are.
    let from = cur.p;
    let (n_mel, n_fft) = (cur.len()?, cur.len()?);
    let n = n_mel
        .checked_mul(n_fft)
        .and_then(|n| n.checked_mul(4))
        .ok_or_else(|| bad("bad mel filter size"))?;
    cur.take(n)?;
    for _ in 0..cur.len()? {
        let len = cur.len()?;
        cur.take(len)?;
    }
    out.write_all(&input[from..cur.p])?;
    let tensors_from = cur.p;
    let mut quantized = 0;
    let mut tensors = 0;
    while cur.p < input.len() {
        let start = cur.p;
        let (n_dims, name_len, ttype) = (cur.len()?, cur.len()?, cur.i32()?);
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_len) {
            return Err(bad("a tensor header is out of range"));
        }
        let mut ne = Vec::with_capacity(n_dims);
        for _ in 0..n_dims {
            ne.push(cur.len()?);
        }
        let name = cur.take(name_len)?;
        let size = match ttype {
            0 => 4,
            1 => 2,
            t => {
                let name = String::from_utf8_lossy(name);
                return Err(bad(&format!(
                    "tensor {name} is of type {t}: only f32 and f16 are read"
                )));
            }
        };
        let count = ne
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .and_then(|c| c.checked_mul(size))
            .ok_or_else(|| bad("a tensor too large"))?;
        let data = cur.take(count)?;
        if ttype == 1 && n_dims == 2 && ne[0] % QK8_0 == 0 {
            let head = &input[start..start + 12 + 4 * n_dims + name_len];
            out.write_all(&head[..8])?;
            out.write_all(&GGML_Q8_0.to_le_bytes())?;
            out.write_all(&head[12..])?;
            let mut block = [0u8; 2 + QK8_0];
            for chunk in data.chunks(2 * QK8_0) {
                let x: Vec<f32> = chunk
                    .chunks(2)
                    .map(|h| f16_to_f32(u16::from_le_bytes([h[0], h[1]])))
                    .collect();
                let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
                let d = amax / 127.0;
                let id = if d > 0.0 { 1.0 / d } else { 0.0 };
                block[..2].copy_from_slice(&f32_to_f16(d).to_le_bytes());
                for (q, v) in block[2..].iter_mut().zip(&x) {
                    *q = ((v * id).round() as i8) as u8;
                }
                out.write_all(&block)?;
            }
            quantized += 1;
        } else {
            out.write_all(&input[start..cur.p])?;
        }
        tensors += 1;
        progress(cur.p - tensors_from, input.len() - tensors_from);
    }
    if tensors == 0 {
        return Err(bad("it has no tensors"));
    }
    Ok(quantized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_round_trips() {
        for x in [
            0.0f32,
            -0.0,
            1.0,
            -2.5,
            0.333_251_95,
            65504.0,
            6.103_515_6e-5,
            5.960_464_5e-8,
        ] {
            assert_eq!(f16_to_f32(f32_to_f16(x)), x, "{x}");
        }
        assert!(f16_to_f32(f32_to_f16(f32::INFINITY)).is_infinite());
        assert_eq!(f32_to_f16(1.0), 0x3c00);
    }

    #[test]
    fn base64_and_tiktoken() {
        assert_eq!(base64("SGVsbG8=").unwrap(), b"Hello");
        assert_eq!(base64("44GC").unwrap(), "あ".as_bytes());
        let v = read_tiktoken("IQ== 0\nIg== 1\n\n").unwrap();
        assert_eq!(v, vec![b"!".to_vec(), b"\"".to_vec()]);
        assert!(read_tiktoken("!!!! 0").is_err());
    }

    /// A tiny CTranslate2 whisper model, written by this test, converts to a
    /// ggml file with the expected layout.
    #[test]
    fn tiny_model_converts() {
        let (state, layers, vocab, mels) = (4usize, 1usize, 6usize, 2usize);
        let mut vars: Vec<(String, Vec<usize>, u8, Vec<u8>)> = Vec::new();
        let f16s = |n: usize, seed: f32| -> Vec<u8> {
            (0..n)
                .flat_map(|i| f32_to_f16(seed + i as f32).to_le_bytes())
                .collect()
        };
        let mut t = |name: &str, shape: Vec<usize>| {
            let n: usize = shape.iter().product();
            let seed = vars.len() as f32 * 100.0;
            vars.push((name.into(), shape, DT_F16, f16s(n, seed)));
        };
        t("encoder/conv1/weight", vec![state, mels, 3]);
        t("encoder/conv1/bias", vec![state]);
        t("encoder/conv2/weight", vec![state, state, 3]);
        t("encoder/conv2/bias", vec![state]);
        t("encoder/position_encodings/encodings", vec![3, state]);
        t("decoder/position_encodings/encodings", vec![2, state]);
        t("decoder/embeddings/weight", vec![vocab, state]);
        for side in ["encoder", "decoder"] {
            t(&format!("{side}/layer_norm/gamma"), vec![state]);
            t(&format!("{side}/layer_norm/beta"), vec![state]);
            for i in 0..layers {
                let l = format!("{side}/layer_{i}");
                let mut blocks = vec!["self_attention", "ffn"];
                if side == "decoder" {
                    blocks.push("attention");
                }
                for b in blocks {
                    t(&format!("{l}/{b}/layer_norm/gamma"), vec![state]);
                    t(&format!("{l}/{b}/layer_norm/beta"), vec![state]);
                }
                t(
                    &format!("{l}/self_attention/linear_0/weight"),
                    vec![3 * state, state],
                );
                t(
                    &format!("{l}/self_attention/linear_0/bias"),
                    vec![3 * state],
                );
                t(
                    &format!("{l}/self_attention/linear_1/weight"),
                    vec![state, state],
                );
                t(&format!("{l}/self_attention/linear_1/bias"), vec![state]);
                t(&format!("{l}/ffn/linear_0/weight"), vec![2 * state, state]);
                t(&format!("{l}/ffn/linear_0/bias"), vec![2 * state]);
                t(&format!("{l}/ffn/linear_1/weight"), vec![state, 2 * state]);
                t(&format!("{l}/ffn/linear_1/bias"), vec![state]);
                if side == "decoder" {
                    t(
                        &format!("{l}/attention/linear_0/weight"),
                        vec![state, state],
                    );
                    t(&format!("{l}/attention/linear_0/bias"), vec![state]);
                    t(
                        &format!("{l}/attention/linear_1/weight"),
                        vec![2 * state, state],
                    );
                    t(&format!("{l}/attention/linear_1/bias"), vec![2 * state]);
                    t(
                        &format!("{l}/attention/linear_2/weight"),
                        vec![state, state],
                    );
                    t(&format!("{l}/attention/linear_2/bias"), vec![state]);
                }
            }
        }
        vars.push((
            "encoder/num_heads".into(),
            vec![],
            DT_I16,
            2i16.to_le_bytes().to_vec(),
        ));
        vars.push((
            "decoder/num_heads".into(),
            vec![],
            DT_I16,
            2i16.to_le_bytes().to_vec(),
        ));
        // Serialize as CTranslate2 would.
        let mut bin = Vec::new();
        let s = |bin: &mut Vec<u8>, x: &str| {
            bin.extend(((x.len() + 1) as u16).to_le_bytes());
            bin.extend(x.as_bytes());
            bin.push(0);
        };
        bin.extend(6u32.to_le_bytes());
        s(&mut bin, "WhisperSpec");
        bin.extend(3u32.to_le_bytes());
        bin.extend((vars.len() as u32).to_le_bytes());
        for (name, shape, dt, data) in &vars {
            s(&mut bin, name);
            bin.push(shape.len() as u8);
            for d in shape {
                bin.extend((*d as u32).to_le_bytes());
            }
            bin.push(*dt);
            bin.extend((data.len() as u32).to_le_bytes());
            bin.extend(data);
        }
        bin.extend(1u32.to_le_bytes());
        s(&mut bin, "decoder/projection/weight");
        s(&mut bin, "decoder/embeddings/weight");

        let model = parse_ct2(&bin).unwrap();
        let h = model.hparams().unwrap();
        assert_eq!(
            (
                h.n_vocab,
                h.n_audio_state,
                h.n_audio_layer,
                h.n_text_layer,
                h.n_mels,
                h.n_audio_head
            ),
            (6, 4, 1, 1, 2, 2)
        );
        let mel = Mel {
            n_mel: 2,
            n_fft: 3,
            data: vec![0.5; 6],
        };
        let mut out = Vec::new();
        let mut calls = 0;
        write_ggml(
            &model,
            &mel,
            &[b"a".to_vec(), b"bc".to_vec()],
            &mut out,
            |_, _| calls += 1,
        )
        .unwrap();
        assert_eq!(&out[..4], &0x6767_6d6cu32.to_le_bytes());

        // Walk the tensors back and check names, shapes and types.
        let rd = |p: &mut usize| {
            let v = i32::from_le_bytes(out[*p..*p + 4].try_into().unwrap());
            *p += 4;
            v
        };
        let mut p = 4 + 11 * 4 + 8 + 6 * 4;
        assert_eq!(rd(&mut p), 2);
        p += 4 + 1 + 4 + 2;
        let mut seen = HashMap::new();
        while p < out.len() {
            let (nd, nl, ft) = (rd(&mut p), rd(&mut p), rd(&mut p));
            let dims: Vec<i32> = (0..nd).map(|_| rd(&mut p)).collect();
            let name = String::from_utf8(out[p..p + nl as usize].to_vec()).unwrap();
            p += nl as usize;
            let n: i32 = dims.iter().product();
            let first = if ft == 0 {
                f32::from_le_bytes(out[p..p + 4].try_into().unwrap())
            } else {
                f16_to_f32(u16::from_le_bytes(out[p..p + 2].try_into().unwrap()))
            };
            p += n as usize * if ft == 0 { 4 } else { 2 };
            seen.insert(name, (dims, ft, first));
        }
        assert_eq!(p, out.len());
        assert_eq!(calls, seen.len());
        assert_eq!(seen["encoder.conv1.bias"].0, vec![1, 4]);
        assert_eq!(seen["encoder.conv1.bias"].1, 0);
        assert_eq!(seen["encoder.conv1.weight"].0, vec![3, 2, 4]);
        assert_eq!(seen["encoder.blocks.0.attn.query.weight"].0, vec![4, 4]);
        // Key is the second third of the stacked QKV weight: row 4 onwards.
        let qkv_seed = seen["encoder.blocks.0.attn.query.weight"].2;
        assert_eq!(seen["encoder.blocks.0.attn.key.weight"].2, qkv_seed + 16.0);
        assert_eq!(
            seen["encoder.blocks.0.attn.value.weight"].2,
            qkv_seed + 32.0
        );
        assert!(!seen.contains_key("encoder.blocks.0.attn.key.bias"));
        assert!(!seen.contains_key("decoder.blocks.0.cross_attn.key.bias"));
        assert_eq!(
            seen["decoder.blocks.0.cross_attn.value.weight"].0,
            vec![4, 4]
        );
        assert_eq!(seen["decoder.token_embedding.weight"].1, 1);
        assert_eq!(seen["decoder.positional_embedding"].1, 0);
        assert_eq!(seen["decoder.ln.weight"].1, 0);
        assert_eq!(seen["encoder.ln_post.bias"].1, 0);
        // Every tensor whisper.cpp's loader asks for, and no other.
        // Encoder input 5 (positions, two convolutions with biases) + ln_post
        // 2; per encoder layer 15 (two norms, q/k/v/out without a k bias,
        // two MLP linears); per decoder layer 24 (cross-attention adds 9);
        // decoder positions, token embedding and final norm 4.
        assert_eq!(seen.len(), 5 + 2 + 15 * layers + 24 * layers + 4);
    }

    /// A small ggml file: a 2-D f16 matrix of 64 × 2, a 1-D f32 bias and a
    /// 3-D f16 convolution.
    fn small_ggml(values: &[f32]) -> Vec<u8> {
        let mut f = Vec::new();
        let i = |f: &mut Vec<u8>, x: i32| f.extend_from_slice(&x.to_le_bytes());
        i(&mut f, 0x6767_6d6c);
        for h in [51865, 1500, 512, 8, 6, 448, 512, 8, 6, 80, 1] {
            i(&mut f, h);
        }
        i(&mut f, 1);
        i(&mut f, 2);
        f.extend_from_slice(&0.25f32.to_le_bytes());
        f.extend_from_slice(&0.5f32.to_le_bytes());
        i(&mut f, 1);
        i(&mut f, 2);
        f.extend_from_slice(b"ab");
        let mut tensor = |name: &str, ne: &[i32], ttype: i32, data: &[u8]| {
            i(&mut f, ne.len() as i32);
            i(&mut f, name.len() as i32);
            i(&mut f, ttype);
            for &d in ne {
                i(&mut f, d);
            }
            f.extend_from_slice(name.as_bytes());
            f.extend_from_slice(data);
        };
        let f16s = |xs: &[f32]| -> Vec<u8> {
            xs.iter()
                .flat_map(|x| f32_to_f16(*x).to_le_bytes())
                .collect()
        };
        tensor("decoder.blocks.0.mlp.0.weight", &[64, 2], 1, &f16s(values));
        tensor(
            "decoder.blocks.0.mlp.0.bias",
            &[2],
            0,
            &[1.5f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat(),
        );
        tensor("encoder.conv1.weight", &[32, 1, 1], 1, &f16s(&values[..32]));
        f
    }

    #[test]
    fn weight_matrices_are_written_in_eight_bits_the_rest_as_it_was() {
        let values: Vec<f32> = (0..128)
            .map(|k| ((k * 37 % 101) as f32 - 50.0) / 64.0)
            .collect();
        let input = small_ggml(&values);
        let mut out = Vec::new();
        let mut calls = 0;
        assert_eq!(
            quantize_q8_0(&input, &mut out, |_, _| calls += 1).unwrap(),
            1
        );
        assert_eq!(calls, 3);
        let rd = |p: usize| i32::from_le_bytes(out[p..p + 4].try_into().unwrap());
        assert_eq!(rd(4 + 10 * 4), FTYPE_Q8_0);
        // Header, mel filters and vocabulary are copied.
        let tensors = 4 + 11 * 4 + 8 + 8 + 4 + 4 + 2;
        assert_eq!(out[48..tensors], input[48..tensors]);
        // The matrix: type 8, same dims and name, 4 blocks of 34 bytes that
        // give its values back within half a step.
        let name = "decoder.blocks.0.mlp.0.weight";
        assert_eq!(
            (rd(tensors), rd(tensors + 4), rd(tensors + 8)),
            (2, name.len() as i32, 8)
        );
        assert_eq!((rd(tensors + 12), rd(tensors + 16)), (64, 2));
        let data = tensors + 20 + name.len();
        for (b, block) in out[data..data + 4 * 34].chunks(34).enumerate() {
            let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
            assert!(d > 0.0);
            for (j, q) in block[2..].iter().enumerate() {
                let want = f16_to_f32(f32_to_f16(values[b * 32 + j]));
                // Half a step, and the scale's own rounding to f16 (up to
                // 127 steps of 1/2048).
                let tolerance = d * (0.5 + 127.0 / 2048.0);
                assert!((*q as i8 as f32 * d - want).abs() <= tolerance, "{b} {j}");
            }
        }
        // The bias and the convolution, byte for byte.
        let rest = data + 4 * 34;
        let input_rest = tensors + 20 + name.len() + 128 * 2;
        assert_eq!(out[rest..], input[input_rest..]);
    }

    #[test]
    fn a_model_that_cannot_be_quantized_is_refused_with_the_reason() {
        let values = vec![0.5f32; 128];
        let input = small_ggml(&values);
        let mut q8 = Vec::new();
        quantize_q8_0(&input, &mut q8, |_, _| {}).unwrap();
        let again = quantize_q8_0(&q8, &mut Vec::new(), |_, _| {}).unwrap_err();
        assert!(again.to_string().contains("already quantized"), "{again}");
        for cut in [0, 3, 20, 60, input.len() - 1] {
            let e = quantize_q8_0(&input[..cut], &mut Vec::new(), |_, _| {}).unwrap_err();
            assert!(
                e.to_string().contains("not a ggml whisper model"),
                "{cut}: {e}"
            );
        }
        // A block of zeros has a zero scale and zero values.
        let zeros = small_ggml(&[0.0; 128]);
        let mut out = Vec::new();
        quantize_q8_0(&zeros, &mut out, |_, _| {}).unwrap();
        assert_eq!(out.len(), zeros.len() - 128 * 2 + 4 * 34);
    }
}
