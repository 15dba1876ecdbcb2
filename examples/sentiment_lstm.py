"""Sentiment of movie-review snippets with a bidirectional LSTM learned from scratch (Rotten Tomatoes).

The vocabulary comes from the training reviews only; ids are right-padded with 0 and the model
passes each review's length to the LSTM, so padding never enters the recurrence.

Run: python examples/sentiment_lstm.py            (well under a minute on 2 CPU cores)
"""
import neuronet as nt
from neuronet.data import ROTTEN_TOMATOES_CLASSES
from neuronet.data.text import pad_sequences
from neuronet.recipes.sequence import SENTIMENT_MAXLEN, TextLSTMClassifier, sentiment_data


def main(epochs: int = 3, seed: int = 0):
    nt.manual_seed(seed)
    data = sentiment_data()
    tok = data["tokenizer"]
    print(f"{len(data['x_train'])} training and {len(data['x_test'])} test reviews, {tok.vocab_size} word ids")

    model = TextLSTMClassifier(tok.vocab_size, num_classes=2)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=3e-3)
    model.fit(data["x_train"], data["y_train"], epochs=epochs, batch_size=64, verbose=1)
    print(f"test accuracy: {model.evaluate(data['x_test'], data['y_test'], batch_size=500)['accuracy']:.4f}")

    reviews = ["A moving, beautifully acted film.", "Dull, lifeless and far too long.",
               "The plot makes no sense, but the cast is having fun.", *data["texts_test"][:3]]
    truth = ["", "", "", *(f" (true: {ROTTEN_TOMATOES_CLASSES[y]})" for y in data["y_test"][:3])]
    ids, _ = pad_sequences(tok.texts_to_sequences(reviews), maxlen=SENTIMENT_MAXLEN)
    probs = nt.functional.softmax(nt.tensor(model.predict(ids, batch_size=len(ids))), axis=1).numpy()
    print("P(fresh) for a few reviews:")
    for text, p, true in zip(reviews, probs, truth):
        print(f"  {'fresh ' if p[1] > 0.5 else 'rotten'} {p[1]:.2f}  {text}{true}")


if __name__ == "__main__":
    main()
