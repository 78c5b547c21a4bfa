"""Networks and encoders the recipes train: Hugging Face encoders (hf.py), the LSTM (lstm.py), word vectors."""
