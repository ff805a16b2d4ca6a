"""Sound: voices, the audio cache, timing from audio, mix and master, audio QC."""
