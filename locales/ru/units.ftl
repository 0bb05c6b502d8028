# Краткие единицы для длительностей из двух частей: «20 ч 42 мин».
unit-short-days = { $count } дн.
unit-short-hours = { $count } ч
unit-short-minutes = { $count } мин
unit-short-seconds = { $count } с
