"""Video: uploads (tus), probing, transcoding, renditions, captions, media serving."""
