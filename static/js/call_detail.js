// call_detail.js — a click on a transcript line's time plays the recording from
// that moment. Without JS the transcript still reads as a timed list.
const audio = document.getElementById('call-audio');
const transcript = document.getElementById('transcript');

if (transcript) {
  if (!audio) for (const b of transcript.querySelectorAll('button.seek')) b.disabled = true;
  transcript.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-t-ms]');
    if (!button || !audio) return;
    audio.currentTime = Number(button.dataset.tMs) / 1000;
    // play() rejects when the audio cannot load or autoplay is refused; the
    // position is set either way and the controls stay usable.
    audio.play().catch(() => {});
  });
}
