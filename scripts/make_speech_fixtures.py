#!/usr/bin/env python3
"""Synthesizes the Japanese counter-conversation fixtures in
tests/fixtures/speech/ with Open JTalk, so tests need no TTS at run time.

Needs: apt-get install open-jtalk open-jtalk-mecab-naist-jdic; python3 with
numpy; the mei voice from the pyopenjtalk sdist:
  pip install numpy cython wheel setuptools_scm
  pip download --no-deps --no-binary :all: --no-build-isolation -d /tmp pyopenjtalk
  tar xzf /tmp/pyopenjtalk-*.tar.gz -C /tmp --wildcards '*/mei_normal.htsvoice'
then: scripts/make_speech_fixtures.py /tmp/pyopenjtalk-*/pyopenjtalk/htsvoice/mei_normal.htsvoice

With `--demo` it writes only the demo conversation (demo_conversation.wav).
With `--set DIR N` it writes N single utterances (and texts.tsv) to DIR for
the recognition benchmark instead; `--set DIR N --held-out` writes the second
set (HELD_OUT), kept apart from tuning, and `--unseen` a third (UNSEEN),
written after the last change to the correction and measured only with it.
`--names DIR N SEED` writes N utterances that give a name (and names.tsv:
the name and how it is read), for `bench asr`'s spoken-name leak count.
"""
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

DIC = "/var/lib/mecab/dic/open-jtalk/naist-jdic"
OUT = Path(__file__).resolve().parent.parent / "tests/fixtures/speech"

STAFF = [
    "お待たせしました。本日はどのようなご用件でしょうか。",
    "本人確認書類はお持ちですか。",
    "住民票の写しの手数料は、一通三百円です。",
]
RESIDENT = [
    "住民票の写しを二通お願いしたいんですけど。",
    "運転免許証があります。",
    "はい、分かりました。",
]

# The demo conversation (`make demo`, the browser end-to-end test): a
# resident who gives a name, an address and a phone number, which the
# console must never show.
DEMO = [
    ("staff", "お待たせしました。本日はどのようなご用件でしょうか。"),
    ("resident", "引っ越してきたので転入届を出したいんですけど。山田花子と申します。"),
    ("staff", "山田花子様ですね。前の住所を教えていただけますか。"),
    ("resident", "大阪府大阪市北区梅田一丁目二番三号です。"),
    ("resident", "転入届は何日以内に出せばいいですか。"),
    ("staff", "引っ越してから十四日以内です。本人確認書類はお持ちですか。"),
    ("resident", "運転免許証があります。電話番号は、ゼロキューゼロの一二三四の五六七八です。"),
    ("resident", "あと、住民票の写しの手数料はいくらですか。"),
    ("staff", "住民票の写しは一通三百円です。"),
]

# Utterances for the recognition benchmark (counter Japanese).
SET = [
    "住民票の写しを取りたいんですけど。", "本人確認書類をお見せください。", "印鑑登録をしたいのですが。",
    "印鑑登録証明書を一通お願いします。", "マイナンバーカードの暗証番号を忘れてしまいました。",
    "転出証明書はお持ちですか。", "引っ越してきたので転入届を出したいです。", "市内で引っ越しました。",
    "戸籍謄本は一通四百五十円です。", "本籍地以外でも戸籍証明書を請求できます。", "国民健康保険に加入したいです。",
    "会社を退職しました。", "児童手当の申請はこちらです。", "子どもが生まれたので出生届を出しに来ました。",
    "婚姻届には証人が二人必要です。", "死亡届は七日以内に提出してください。", "火葬許可証をお渡しします。",
    "郵送で請求することもできます。", "コンビニ交付は朝六時半から夜十一時までです。", "委任状はお持ちですか。",
    "代理人の方の本人確認書類も必要です。", "手数料は三百円です。", "こちらの申請書にご記入ください。",
    "番号札を取ってお待ちください。", "マイナンバーカードを紛失しました。", "再交付には千円かかります。",
    "暗証番号は数字四桁です。", "三回間違えるとロックされます。", "顔写真付きの証明書が必要です。",
    "健康保険の資格確認書をお持ちですか。", "世帯全員の住民票が必要ですか。", "本籍と筆頭者を記載しますか。",
    "印鑑登録証をお持ちください。", "窓口は五時十五分までです。", "第二土曜日の午前中も開いています。",
    "転入届は十四日以内に出してください。", "葬祭費は五万円支給されます。", "資格喪失証明書が必要です。",
    "児童手当は偶数月に振り込まれます。", "お子さんのマイナンバーカードも必要です。",
]

# A second set, written before the recognizer's term correction was tuned on
# SET and never used to tune it: `--set DIR N --held-out` writes it.
HELD_OUT = [
    "住民票を二通お願いします。", "印鑑証明書は一通三百円です。", "転出届を出しに来ました。",
    "マイナンバーカードの受け取りに来ました。", "戸籍抄本と戸籍謄本はどう違いますか。", "本人確認書類は運転免許証で大丈夫ですか。",
    "保険証が届くまで何日かかりますか。", "国民健康保険をやめる手続きをしたいです。", "児童手当の振込先を変えたいんですけど。",
    "出生届は生まれた日から十四日以内です。", "婚姻届は夜間も受け付けています。", "葬祭費の申請には葬儀の領収書が必要です。",
    "コンビニで住民票は取れますか。", "暗証番号を三回間違えてロックされました。", "転居届には何が必要ですか。",
    "委任状の書き方を教えてください。", "代理人が請求する場合は委任状が必要です。", "郵送請求の返信用封筒をお送りください。",
    "印鑑登録証を無くしてしまいました。", "実印の登録には本人が来てください。", "電子証明書の有効期限が切れています。",
    "マイナンバーカードの住所変更もお願いします。", "世帯主の名前を書いてください。", "手数料は窓口でお支払いください。",
    "本籍地の市町村に請求してください。", "戸籍の届出は土日も受け付けます。", "死亡届の届出人はどなたですか。",
    "火葬許可証は葬儀社にお渡しください。", "引っ越しの前に転出届を出してください。", "資格確認書は郵送でお送りします。",
    "高校生年代までのお子さんが対象です。", "受付番号をお呼びするまでお待ちください。", "証明書の交付には十分ほどかかります。",
    "印鑑登録証明書をコンビニで取りたいです。", "住所変更の届出をお願いします。", "通知カードは使えなくなりました。",
    "平日の夜七時まで延長しています。", "お名前と生年月日をご記入ください。", "保険税の納付書をお送りします。",
    "申請書の書き方がわかりません。",
]

# A third set, written on 2026-11-23 after the correction's last change and
# measured once with it: speech no rule was ever tuned on (`--unseen`).
UNSEEN = [
    "住民票の写しを三通ください。", "本籍地が遠いので郵送で請求したいです。", "転入届と一緒に国民健康保険の手続きもできますか。",
    "マイナンバーカードの暗証番号を変更したいです。", "印鑑登録をしたいのですが実印を持ってきました。", "児童手当の申請には何が必要ですか。",
    "戸籍謄本は本籍地以外でも取れますか。", "転出証明書をなくしてしまいました。", "委任状があれば代理人でも大丈夫です。",
    "コンビニ交付の利用時間を教えてください。", "婚姻届の証人は二人必要です。", "死亡届は死亡を知った日から七日以内です。",
    "国民健康保険の保険料は口座振替にできますか。", "出生届を出すときに母子手帳を持ってきてください。", "転居届は引っ越してから十四日以内です。",
    "住民票に本籍を記載しますか。", "世帯全員の写しと個人の写しがあります。", "印鑑登録証明書の手数料は三百円です。",
    "マイナンバーカードの電子証明書を更新したいです。", "本人確認のため運転免許証を見せてください。", "葬祭費は申請から一か月ほどで振り込まれます。",
    "高校を卒業するまで児童手当が支給されます。", "番号札をお取りになってお待ちください。", "戸籍の附票も一緒にお願いします。",
    "転入届には前の住所の転出証明書が必要です。", "郵送の場合は切手を貼った返信用封筒を同封してください。", "印鑑登録証があればコンビニでは取れません。",
    "暗証番号がロックされたら窓口で解除できます。", "子どもが生まれたので健康保険に加入したいです。", "火葬許可証は死亡届と同時に交付します。",
    "土曜日は住民票の交付だけ受け付けています。", "資格喪失の手続きは十四日以内にお願いします。", "外国籍の方も住民票が取れます。",
    "本籍と筆頭者が分からない場合はお調べします。", "申請書はこちらの記入台でお書きください。", "代理の方は委任状と本人確認書類をお持ちください。",
    "保険証の代わりに資格確認書をお送りします。", "届出人の署名をお願いします。", "手続きは以上です。お疲れさまでした。",
    "ほかに何かお手続きはございますか。",
]


def synth(text: str, voice: str, rate: int, speed: float = 1.0) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        txt, wav = Path(d) / "in.txt", Path(d) / "out.wav"
        txt.write_text(text, encoding="utf-8")
        subprocess.run(["open_jtalk", "-x", DIC, "-m", voice, "-r", str(speed), "-ow", str(wav), str(txt)], check=True)
        with wave.open(str(wav)) as w:
            native = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0
    # The voice's own rate (48 kHz for mei) → the rate asked for; low-pass
    # first when going down, or the decimation aliases.
    if rate < native:
        cutoff = 0.45 * rate / native
        taps = np.arange(-128, 129)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.blackman(len(taps))
        x = np.convolve(x, kernel / kernel.sum(), mode="same").astype(np.float32)
    t_out = np.arange(int(len(x) * rate / native)) / rate
    return np.interp(t_out, np.arange(len(x)) / native, x).astype(np.float32)


def write(path: Path, rate: int, channels: list) -> None:
    data = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
    pcm = (np.clip(data, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def pause(rate: int, secs: float, rng) -> np.ndarray:
    return rng.normal(0, 0.001, int(rate * secs)).astype(np.float32)


def main(voice: str) -> None:
    rng = np.random.default_rng(20261122)
    OUT.mkdir(parents=True, exist_ok=True)
    r = 16000
    turns = [s for pair in zip(STAFF, RESIDENT) for s in pair]
    speakers = ["staff", "resident"] * len(STAFF)
    mono, left, right, lines = [pause(r, 0.5, rng)], [pause(r, 0.5, rng)], [pause(r, 0.5, rng)], []
    for text, who in zip(turns, speakers):
        s = synth(text, voice, r, 1.05 if who == "staff" else 0.95)
        mono += [s, pause(r, 1.0, rng)]
        near, far = s, s * 0.08  # a directional mic hears the other side faintly
        left += [near if who == "staff" else far, pause(r, 1.0, rng)]
        right += [far if who == "staff" else near, pause(r, 1.0, rng)]
        lines.append(f"{who}\t{text}")
    write(OUT / "counter_mono_16k.wav", r, [np.concatenate(mono)])
    write(OUT / "counter_stereo_16k.wav", r, [np.concatenate(left), np.concatenate(right)])
    (OUT / "counter.tsv").write_text("speaker\ttext\n" + "\n".join(lines) + "\n", encoding="utf-8")
    one = "住民票の写しを取りたいんですけど、本人確認書類は何が必要ですか。"
    for rate, name in [(44100, "juminhyo_44k.wav"), (8000, "juminhyo_8k.wav")]:
        write(OUT / name, rate, [np.concatenate([pause(rate, 0.4, rng), synth(one, voice, rate), pause(rate, 0.6, rng)])])
    (OUT / "juminhyo.txt").write_text(one + "\n", encoding="utf-8")
    write(OUT / "silence.wav", r, [pause(r, 5.0, rng) * 0.3])
    noise = np.cumsum(rng.normal(0, 0.02, r * 5)).astype(np.float32)  # brown-ish hum
    noise = (noise - np.convolve(noise, np.ones(400) / 400, mode="same")) * 0.5
    write(OUT / "noise.wav", r, [noise.astype(np.float32)])


def make_demo(voice: str) -> None:
    rng = np.random.default_rng(20261123)
    r = 16000
    left, right, lines = [pause(r, 0.5, rng)], [pause(r, 0.5, rng)], []
    for who, text in DEMO:
        s = synth(text, voice, r, 1.05 if who == "staff" else 0.95)
        near, far = s, s * 0.08
        left += [near if who == "staff" else far, pause(r, 1.2, rng)]
        right += [far if who == "staff" else near, pause(r, 1.2, rng)]
        lines.append(f"{who}\t{text}")
    write(OUT / "demo_conversation.wav", r, [np.concatenate(left), np.concatenate(right)])
    (OUT / "demo_conversation.tsv").write_text("speaker\ttext\n" + "\n".join(lines) + "\n", encoding="utf-8")


def make_set(voice: str, out: Path, n: int, texts: list) -> None:
    rng = np.random.default_rng(7)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, text in enumerate(texts[:n]):
        s = synth(text, voice, 16000, [0.95, 1.0, 1.1][i % 3])
        write(out / f"u{i:02d}.wav", 16000, [np.concatenate([pause(16000, 0.3, rng), s, pause(16000, 0.5, rng)])])
        rows.append(f"u{i:02d}.wav\t{text}")
    (out / "texts.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


# Spoken names for the end-to-end leak check (`--names DIR N [SEED]`): what
# the recognizer makes of a name, and whether the masker still catches it.
# Names are common and less common family and given names with how they are
# read; no real person's data.
FAMILY = [("田中", "たなか"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("渡辺", "わたなべ"), ("小林", "こばやし"),
          ("速水", "はやみ"), ("長谷川", "はせがわ"), ("斎藤", "さいとう"), ("村上", "むらかみ"), ("石井", "いしい"),
          ("久保田", "くぼた"), ("宮崎", "みやざき"), ("千葉", "ちば"), ("大木", "おおき"), ("出口", "でぐち"),
          ("柴山", "しばやま")]
GIVEN = [("花子", "はなこ"), ("健太郎", "けんたろう"), ("陽翔", "はると"), ("結衣", "ゆい"), ("大輔", "だいすけ"),
         ("美咲", "みさき"), ("翔太", "しょうた"), ("恵子", "けいこ"), ("誠", "まこと"), ("さくら", "さくら"),
         ("湊", "みなと"), ("由美子", "ゆみこ")]
SAID = ["{}と申します。", "{}です。よろしくお願いします。", "名前は{}です。", "{}の代理で来ました。", "世帯主は{}です。",
        "妻の{}の分もお願いします。", "{}さんの住民票をお願いします。", "はい、{}です。"]


def make_names(voice: str, out: Path, n: int, seed: int) -> None:
    import random
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    texts, names = [], []
    for i in range(n):
        f, g, said = rnd.choice(FAMILY), rnd.choice(GIVEN), rnd.choice(SAID)
        full = rnd.random() < 0.6
        name, reading = (f[0] + g[0], f[1] + g[1]) if full else f
        text = said.format(name)
        write(out / f"n{i:02d}.wav", 16000, [synth(text, voice, 16000)])
        texts.append(f"n{i:02d}.wav\t{text}")
        names.append(f"n{i:02d}.wav\t{name}\t{reading}")
    (out / "texts.tsv").write_text("\n".join(texts) + "\n", encoding="utf-8")
    (out / "names.tsv").write_text("\n".join(names) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[2] == "--demo":
        make_demo(sys.argv[1])
    elif len(sys.argv) >= 4 and sys.argv[2] == "--names":
        rest = [int(a) for a in sys.argv[4:] if a.isdigit()]
        make_names(sys.argv[1], Path(sys.argv[3]), rest[0] if rest else 48, rest[1] if len(rest) > 1 else 1)
    elif len(sys.argv) >= 4 and sys.argv[2] == "--set":
        texts = HELD_OUT if "--held-out" in sys.argv else UNSEEN if "--unseen" in sys.argv else SET
        counts = [a for a in sys.argv[4:] if a.isdigit()]
        make_set(sys.argv[1], Path(sys.argv[3]), int(counts[0]) if counts else len(texts), texts)
    else:
        main(sys.argv[1])
