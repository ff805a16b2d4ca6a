"""Media shared by the renderers and audio: the content-addressed store of encodes (animatics,
contact sheets, mastered mixes), keyed by the bytes that make them."""
