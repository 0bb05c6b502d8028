# Short units, for durations of two parts: “20 h 42 min”.
unit-short-days = { $count } d
unit-short-hours = { $count } h
unit-short-minutes = { $count } min
unit-short-seconds = { $count } s
