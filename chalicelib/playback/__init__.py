"""Access to playback: signed cookies for a video's or clip's media, renewed under the viewer."""
