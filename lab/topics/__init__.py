"""The topics rung: preprocessing steps, word and document vectors, K-means with the elbow, LDA, and their plots."""
