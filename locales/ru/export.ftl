# Книга Excel для /export: подпись и названия столбцов.
export-workbook-caption = 📗 То же самое в виде файла Excel: даты записаны как даты, стоимость — как числа.
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
export-column-consent-by = Согласие: ID сотрудника
export-column-consent-at = Согласие: время
