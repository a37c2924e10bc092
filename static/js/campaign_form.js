// campaign_form.js — the SMS text's live counter on the campaign form: characters and
// SMS parts as the server counts them (src/domain/sms_segments.c): GSM-7, 160 alone or
// 153 per part, the extension characters counting two; otherwise UCS-2, 70 alone or
// 67 per part in UTF-16 code units; a character never split between parts. The
// server renders the same line, so without JavaScript the form shows the count of
// the text as last submitted.
const GSM7 = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXT = '\f^{}\\[~]|€';

function width(ch, gsm) {
  if (gsm) return GSM7_EXT.includes(ch) ? 2 : 1;
  return ch.codePointAt(0) > 0xffff ? 2 : 1;
}

export function smsCount(text) {
  const chars = Array.from(text);
  const gsm = chars.every((c) => GSM7.includes(c) || GSM7_EXT.includes(c));
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  let units = 0, parts = 0, used = 0;
  for (const c of chars) {
    const w = width(c, gsm);
    units += w;
    if (parts === 0 || used + w > part) { parts += 1; used = 0; }
    used += w;
  }
  const segments = units === 0 ? 0 : units <= single ? 1 : parts;
  return { chars: chars.length, units, segments, encoding: gsm ? 'GSM-7' : 'UCS-2' };
}

const body = document.getElementById('f-sms_body');
const counter = document.getElementById('sms-counter');
if (body && counter) {
  const update = () => {
    const c = smsCount(body.value.trim());
    counter.textContent = `${c.chars} of 500 characters · ${c.segments} SMS ${c.segments === 1 ? 'part' : 'parts'} (${c.encoding})`;
  };
  body.addEventListener('input', update);
  update();
}
