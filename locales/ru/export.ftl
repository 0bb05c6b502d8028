# Книга Excel для /export: подпись, лист, названия столбцов и слова в ячейках.
export-workbook-caption = 📗 То же самое в виде книги Excel: даты записаны как даты, стоимость — как числа, время — в часовом поясе { $zone }.
export-sheet = Проверки
export-column-created = Начало
export-column-staff-id = ID сотрудника
export-column-staff-name = Сотрудник
export-column-phone = Телефон
export-column-request = Запрос Gateway
export-column-status = Итог
export-column-delivery = Доставка
export-column-cost = Стоимость, $
export-column-refunded = Возврат
export-column-checked = Код проверен
export-column-method = Способ подтверждения
export-column-consent-by = Кто отметил согласие (ID)
export-column-consent-at = Согласие отмечено
