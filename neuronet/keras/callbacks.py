"""``keras.callbacks``: neuronet's callbacks, which keep Keras's names, arguments and hooks
(``on_epoch_end(epoch, logs)``, ...)."""
from ..train.callbacks import (Callback, CSVLogger, EarlyStopping, LambdaCallback,  # noqa: F401
                               LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from ..train.history import History  # noqa: F401

__all__ = ["Callback", "CSVLogger", "EarlyStopping", "History", "LambdaCallback", "LearningRateScheduler",
           "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN"]
