// The rest between sets: a countdown that lives in a member's session (so switching to
// another member at the rack keeps it running), and the beep at its end.

export const DEFAULT_REST_SECONDS = 90;

// "3 min", "1 min 30 s", "45 s": how a coach says a rest.
export function duration(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest} s`;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

// "2:05" on the big clock.
export function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

export class Rest {
  constructor(seconds, exerciseName, now = Date.now()) {
    this.exerciseName = exerciseName;
    this.total = seconds * 1000;
    this.endsAt = now + this.total;
    this.rang = false;
  }

  secondsLeft(now = Date.now()) {
    return Math.max(0, Math.ceil((this.endsAt - now) / 1000));
  }

  fractionLeft(now = Date.now()) {
    return this.total > 0 ? Math.max(0, (this.endsAt - now) / this.total) : 0;
  }

  over(now = Date.now()) {
    return now >= this.endsAt;
  }

  extend(seconds, now = Date.now()) {
    // Extending a rest that is already over starts a fresh short one from now.
    const from = Math.max(this.endsAt, now);
    this.endsAt = from + seconds * 1000;
    this.total = this.endsAt - now;
    this.rang = false;
  }
}

// Browsers only let a page make sound after a touch: the first tap on the kiosk opens the
// audio context, and the beep at the end of a rest reuses it.
let audio = null;

export function unlockSound() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  audio ||= new Context();
  if (audio.state === "suspended") audio.resume();
}

export function beep() {
  if (!audio) return;
  const start = audio.currentTime;
  // Three short high tones: heard over gym music without being a siren.
  for (const offset of [0, 0.25, 0.5]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = "square";
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    tone.connect(gain).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.2);
  }
}
